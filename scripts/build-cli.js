#!/usr/bin/env node
// Builds the `airless` CLI into dist/cli/ (run by `npm ci` through the `prepare` script, and by
// bin/airless.js when the sources are newer than the build): one ES module per command and per lazy
// import (code splitting), dependencies left in node_modules. Without esbuild (`npm ci --omit=dev`)
// it prints why and exits 0: bin/airless.js then runs the sources through tsx.
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replaceDir } from './replace-dir.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Builds dist/cli (or `out`); resolves to false when esbuild is not installed. */
export async function buildCli(out = join(root, 'dist', 'cli')) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return false;
  }
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    await esbuild.build({
      entryPoints: { main: join(root, 'src', 'cli', 'main.ts') },
      outdir: tmp,
      bundle: true,
      splitting: true,
      chunkNames: 'chunk-[hash]',
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    });
    // A marker written last: a build cut short is never taken for a complete one.
    writeFileSync(join(tmp, 'built.json'), `${JSON.stringify({ builtAt: new Date().toISOString() })}\n`);
    // Chunk names are content hashes: a rebuild of the same sources keeps them.
    replaceDir(tmp, out);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (!(await buildCli()))
    console.error(
      'airless: esbuild is not installed (npm ci --omit=dev?); the CLI will run its sources with tsx',
    );
}
