#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so `npx airless` works right after `npm ci`.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
