import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { zodEnglishOnly } from '../scripts/zod-english-only.js';

/**
 * Per Lambda handler (src/aws/lambda/*.ts): bundle size (esbuild, minified, ESM, node20) and
 * cold start, from spawning `node` to the bundle being imported with its `handler` exported,
 * median of RUNS. A bare `node` start is measured too, as the floor.
 */
const RUNS = 7;
const SIZE_BUDGET = 1024 * 1024;
const COLD_START_BUDGET_MS = 150;
const root = fileURLToPath(new URL('..', import.meta.url));

interface Bundle {
  entry: string;
  entryBytes: number;
  /** Entry plus every chunk it may load (static or dynamic imports). */
  totalBytes: number;
}

/**
 * `plain`: one file, esbuild defaults; `lean`: code splitting, English-only zod and ES-module builds
 * of dependencies (the AWS SDK's tree-shake), as scripts/package-aws.js builds.
 */
async function bundle(source: string, outdir: string, lean: boolean): Promise<Bundle> {
  const name = basename(source, '.ts');
  const result = await build({
    entryPoints: { [name]: source },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: lean,
    plugins: lean ? [zodEnglishOnly(root)] : [],
    platform: 'node',
    mainFields: lean ? ['module', 'main'] : undefined,
    format: 'esm',
    target: 'node20',
    minify: true,
    metafile: true,
    legalComments: 'none',
    logLevel: 'error',
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  const outputs = result.metafile.outputs;
  // Dynamic imports are entry points in the metafile too; the handler's own file is `<name>.mjs`.
  const entry = Object.keys(outputs).find((file) => basename(file) === `${name}.mjs`)!;
  const totalBytes = Object.values(outputs).reduce((n, o) => n + o.bytes, 0);
  return { entry: join(root, entry), entryBytes: outputs[entry]!.bytes, totalBytes };
}

interface ColdStart {
  /** Child's own clock at ready: process start (Node bootstrap included) to handler ready. */
  sinceProcessStart: number;
  /** Just the import of the bundle. */
  importMs: number;
}

/** Runs `import(url)` in a fresh node; the child reports its own timings. */
function coldStart(url: string | null): Promise<ColdStart> {
  const load = url
    ? `const m = await import(${JSON.stringify(url)}); if (typeof m.handler !== 'function') throw new Error('no handler export');`
    : '';
  const script = `const t0 = performance.now(); ${load} const t1 = performance.now(); process.stdout.write(JSON.stringify([t1, t1 - t0]))`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AIRLESS_LOG: 'off', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => {
      if (code !== 0)
        return reject(new Error(err.split('\n').find((l) => /Error/.test(l)) ?? `exit ${code}`));
      const [sinceProcessStart, importMs] = JSON.parse(out) as [number, number];
      resolve({ sinceProcessStart, importMs });
    });
  });
}

async function median(url: string | null): Promise<ColdStart> {
  const runs: ColdStart[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await coldStart(url));
  const mid = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return {
    sinceProcessStart: mid(runs.map((r) => r.sinceProcessStart)),
    importMs: mid(runs.map((r) => r.importMs)),
  };
}

export async function run(): Promise<void> {
  const outdir = mkdtempSync(join(tmpdir(), 'airless-bench-'));
  try {
    const entries = readdirSync(join(root, 'src/aws/lambda'))
      .filter((f) => f.endsWith('.ts'))
      .sort()
      .map((f) => join(root, 'src/aws/lambda', f))
      .filter((file) => /export (const|async function|function) handler\b/.test(readFileSync(file, 'utf8')));
    const floor = await median(null);
    console.log(
      `bare node (no import): ${floor.sinceProcessStart.toFixed(0)} ms from process start; Node ${process.version}; median of ${RUNS}\n`,
    );
    console.log(
      '| handler | build | entry file | with lazy chunks | import to handler ready | process start to handler ready | within 1 MB / 150 ms |',
    );
    console.log('|---|---|---:|---:|---:|---:|---|');
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
    for (const source of entries) {
      const name = basename(source, '.ts');
      for (const lean of [false, true]) {
        const dir = join(outdir, `${name}-${lean ? 'lean' : 'plain'}`);
        const b = await bundle(source, dir, lean);
        const label = `| ${name} | ${lean ? 'lean' : 'plain'} | ${kb(b.entryBytes)} | ${kb(b.totalBytes)} |`;
        try {
          const t = await median(pathToFileURL(b.entry).href);
          const ok = b.entryBytes < SIZE_BUDGET && t.sinceProcessStart < COLD_START_BUDGET_MS ? 'yes' : 'no';
          console.log(
            `${label} ${t.importMs.toFixed(0)} ms | ${t.sinceProcessStart.toFixed(0)} ms | ${ok} |`,
          );
        } catch (error) {
          console.log(`${label} fails to load: ${(error as Error).message.slice(0, 60)} | | no |`);
        }
      }
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
