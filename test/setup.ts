// Loaded before every test file (vitest setupFiles).
// aws-local-stepfunctions 3.0.0 uses Promise.withResolvers (Node 22); the product polyfills it.
import '../src/local/polyfills.ts';

// Property tests run with one fixed seed, so a run of the suite is reproducible (CI, bisecting);
// AIRLESS_FC_SEED=random (or a number) explores other seeds, as `npm run bench -- fuzz` does.
import fc from 'fast-check';

const seed = process.env.AIRLESS_FC_SEED;
if (seed !== 'random') fc.configureGlobal({ seed: seed === undefined ? 20261203 : Number(seed) });
