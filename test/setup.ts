// Loaded before every test file (vitest setupFiles).
// aws-local-stepfunctions 3.0.0 uses Promise.withResolvers (Node 22); the product polyfills it.
import '../src/local/polyfills.ts';
