#!/usr/bin/env node
// Runs the built CLI (dist/cli, made by `npm ci` or on first use) when it is newer than every
// source file; otherwise rebuilds it, or, without esbuild, runs the TypeScript sources with tsx.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// `airless ... | head`: a closed pipe ends the output, not with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// AIRLESS_CLI_DIST: another build folder (tests use one of their own).
const dist = process.env.AIRLESS_CLI_DIST ?? join(root, 'dist', 'cli');
const built = join(dist, 'main.js');
const marker = join(dist, 'built.json');

/** The newest modification time under src/ (the CLI's sources), in ms. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const time = entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs;
    if (time > newest) newest = time;
  }
  return newest;
}

const fresh = () => existsSync(marker) && statSync(marker).mtimeMs >= newestSource(join(root, 'src'));
let entry = null;
if (process.env.AIRLESS_CLI_FROM_SOURCE !== '1') {
  if (fresh()) entry = built;
  else {
    const { buildCli } = await import('../scripts/build-cli.js');
    if (await buildCli(dist).catch(() => false)) entry = built;
  }
}
let main;
if (entry) ({ main } = await import(pathToFileURL(entry).href));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
