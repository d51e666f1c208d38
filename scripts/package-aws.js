#!/usr/bin/env node
// `npm run package:aws [-- --stage dev --region eu-west-1 --out .serverless]`: the AWS deployment package, offline.
// 1. Bundles each Lambda (src/aws/lambda/*.ts) with esbuild into .airless/bundles/<name>/index.mjs
//    (ESM, minified, code-split, Node 24, AWS SDK included so the deployed code is the tested code).
// 2. Runs `serverless package` (v3, local install) with telemetry, update checks and notifications
//    off: no network, no credentials. The CloudFormation template lands in .serverless/.
// Deterministic: same commit, same template (see scripts/serverless-airless-plugin.cjs).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { zodEnglishOnly } from './zod-english-only.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const LAMBDAS = ['task', 'gate', 'register-dag', 'api', 'scheduled-run', 'data-trigger', 'run-finished'];

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** The last commit's time (or SOURCE_DATE_EPOCH), in ms: names the artifact folder deterministically. */
function artifactTime() {
  if (process.env.SOURCE_DATE_EPOCH) return String(Number(process.env.SOURCE_DATE_EPOCH) * 1000);
  try {
    const seconds = execFileSync('git', ['log', '-1', '--format=%ct'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    return String(Number(seconds) * 1000);
  } catch {
    return '0';
  }
}

/**
 * One build per Lambda into its own folder, with code splitting: what a handler imports lazily
 * (a secrets backend, Azure identity) becomes a chunk loaded on first use, not at cold start.
 */
async function bundle() {
  const out = join(root, '.airless', 'bundles');
  rmSync(out, { recursive: true, force: true }); // chunk names change with content
  await Promise.all(
    LAMBDAS.map((name) =>
      build({
        entryPoints: { index: join(root, 'src', 'aws', 'lambda', `${name}.ts`) },
        outdir: join(out, name),
        outExtension: { '.js': '.mjs' },
        bundle: true,
        splitting: true,
        chunkNames: 'chunk-[hash]',
        plugins: [zodEnglishOnly(root)],
        platform: 'node',
        // The ES builds of the AWS SDK (its `module` field) tree-shake; its default CommonJS builds do not
        // and cost twice the size and start time (see bench/handlers.ts).
        mainFields: ['module', 'main'],
        format: 'esm',
        target: 'node24',
        minify: true,
        legalComments: 'none',
        logLevel: 'warning',
        // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
        banner: {
          js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
        },
      }),
    ),
  );
}

function serverlessPackage(stage, region, out) {
  const env = {
    ...process.env,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_TRACKING_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_DEPRECATION_DISABLE: '*',
    SLS_INTERACTIVE_SETUP_DISABLE: '1',
    NPM_CONFIG_UPDATE_NOTIFIER: 'false',
    AIRLESS_ARTIFACT_TIME: artifactTime(),
  };
  const cli = join(root, 'node_modules', 'serverless', 'bin', 'serverless.js');
  const result = spawnSync(
    process.execPath,
    [cli, 'package', '--stage', stage, '--region', region, '--package', out],
    {
      cwd: root,
      env,
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) throw new Error(`serverless package failed (exit ${result.status})`);
}

const started = Date.now();
await bundle();
const bundled = Date.now();
const defaultOut = join(root, '.serverless');
const out = resolve(option('out', defaultOut));
// serverless empties <service>/.serverless whatever --package says: keep a package there aside
// while another --out is packaged, and put it back after.
const kept = out === defaultOut || !existsSync(defaultOut) ? null : `${defaultOut}.kept-${process.pid}`;
if (kept) renameSync(defaultOut, kept);
try {
  serverlessPackage(option('stage', 'dev'), option('region', 'eu-west-1'), out);
} finally {
  if (kept) {
    rmSync(defaultOut, { recursive: true, force: true });
    renameSync(kept, defaultOut);
  }
}
const seconds = (ms) => (ms / 1000).toFixed(1);
console.log(
  `package:aws: ${relative(process.cwd(), join(out, 'cloudformation-template-update-stack.json'))} (bundle ${seconds(bundled - started)} s, serverless package ${seconds(Date.now() - bundled)} s)`,
);
