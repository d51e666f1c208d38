#!/usr/bin/env node
// Builds the web UI into dist/ui/ (run by `npm ci` through the `prepare` script): src/ui/main.ts and
// everything it imports (Preact, htm) bundled by esbuild into one minified app.js, beside
// index.html and styles.css. No CDN: the three files are everything the browser loads.
// src/ui/assets.ts serves them. Without esbuild (`npm ci --omit=dev`) it prints why and exits 0.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replaceDir } from './replace-dir.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'ui', 'app');
/** The files next to app.js, copied as they are. */
export const STATIC_FILES = ['index.html', 'styles.css'];

/** Builds dist/ui (or `out`); resolves to false when esbuild is not installed. */
export async function buildUi(out = join(root, 'dist', 'ui')) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return false;
  }
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    await esbuild.build({
      entryPoints: { app: join(source, 'main.ts') },
      outdir: tmp,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2020',
      minify: true,
      legalComments: 'none',
      logLevel: 'warning',
    });
    for (const file of STATIC_FILES) copyFileSync(join(source, file), join(tmp, file));
    replaceDir(tmp, out);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // An optional output directory (the tests build into a temporary one).
  if (!(await buildUi(process.argv[2] ? resolve(process.argv[2]) : undefined)))
    console.error('airless: esbuild is not installed (npm ci --omit=dev?); no web UI built');
}
