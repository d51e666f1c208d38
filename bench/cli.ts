import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { formatTable } from '../src/cli/table.ts';

/**
 * How long `airless` takes to start: `airless --help` and `airless validate dags` from the built
 * CLI (dist/cli, what bin/airless.js runs when it is fresh) and from the sources through tsx
 * (AIRLESS_CLI_FROM_SOURCE=1, the fallback without esbuild), against `node -e 0`. Wall time per
 * process, median of RUNS after one warm-up. The aim: `--help` within 3x `node -e 0`.
 */
const RUNS = 9;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function time(args: string[], env: Record<string, string> = {}): number {
  const samples: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}`);
    if (i > 0) samples.push(performance.now() - t0);
  }
  return median(samples);
}

export async function run(): Promise<void> {
  const baseline = time(['-e', '0']);
  const rows = [
    ['node -e 0', baseline, '-'],
    ['airless --help (built)', time(['bin/airless.js', '--help'])],
    ['airless validate dags (built)', time(['bin/airless.js', 'validate', 'dags'])],
    ['airless --help (sources, tsx)', time(['bin/airless.js', '--help'], { AIRLESS_CLI_FROM_SOURCE: '1' })],
  ].map(([what, ms]) => [String(what), (ms as number).toFixed(0), ((ms as number) / baseline).toFixed(2)]);
  console.log(formatTable(['command', 'median ms', 'x node -e 0'], rows));
}
