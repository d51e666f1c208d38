import { performance } from 'node:perf_hooks';
import { formatTable } from '../src/cli/table.ts';
import { buildIr } from '../src/compiler/build-ir.ts';
import { stableStringify } from '../src/compiler/serialize.ts';
import { parseFile } from '../src/dag/parse.ts';
import { loadDag } from '../src/dag/validate.ts';
import { generateDagYaml } from './generate-dag.ts';
import { HOSTILE_KINDS, hostileDag, SYNTAX_ERROR_KINDS } from './hostile-dags.ts';

/**
 * Parse + validate (loadDag) and IR (buildIr + serialisation) of generated DAGs of 100, 1,000 and
 * 10,000 tasks: medians after a warm-up, and how the time grows with size. Times are CPU time of
 * this process (user + system, so garbage collection and JIT threads count too), which a busy shared
 * machine distorts far less than wall time; the wall time of the whole pipeline is shown beside it,
 * warm (median) and cold (the first run of that size in this process, as one CLI call would see it).
 */
const SIZES = [100, 1_000, 10_000];
const RUNS = 9;
const WARM_UP_RUNS = 5;

interface Sample {
  /** loadDag: YAML parse with positions, schema, cross-field checks. */
  validate: number;
  /** The YAML read alone (parseFile: js-yaml, or yaml when the text needs it), timed separately. */
  yaml: number;
  /** buildIr + stableStringify. */
  ir: number;
  wall: number;
}

export async function run(): Promise<void> {
  const rows: Array<{ tasks: number; kib: number; cold: number } & Sample> = [];
  for (const tasks of SIZES) {
    const text = generateDagYaml({ tasks, seed: 42 });
    const file = `bench_${tasks}.yaml`;
    const cold = measure(text, file).wall;
    for (let i = 1; i < WARM_UP_RUNS; i++) measure(text, file);
    const samples = Array.from({ length: RUNS }, () => measure(text, file));
    const med = (key: keyof Sample): number => median(samples.map((s) => s[key]));
    rows.push({
      tasks,
      kib: Buffer.byteLength(text) / 1024,
      cold,
      validate: med('validate'),
      yaml: med('yaml'),
      ir: med('ir'),
      wall: med('wall'),
    });
  }
  const total = (r: Sample): number => r.validate + r.ir;
  console.log(
    `\n### DAG language: parse + validate + IR, CPU ms (median of ${RUNS} runs after ${WARM_UP_RUNS} warm-up runs, seed 42)\n`,
  );
  console.log(
    formatTable(
      [
        'tasks',
        'YAML KiB',
        'parse+validate',
        'of which YAML parse',
        'IR',
        'total',
        'total wall ms',
        'cold wall ms',
        'µs per task',
      ],
      rows.map((r) => [
        r.tasks.toLocaleString('en-US'),
        r.kib.toFixed(0),
        r.validate.toFixed(1),
        r.yaml.toFixed(1),
        r.ir.toFixed(1),
        total(r).toFixed(1),
        r.wall.toFixed(1),
        r.cold.toFixed(1),
        ((total(r) * 1000) / r.tasks).toFixed(0),
      ]),
    ),
  );
  const [, thousand, tenThousand] = rows as Array<Sample> as [Sample, Sample, Sample];
  console.log(
    `\n10,000 / 1,000 tasks: ${(total(tenThousand) / total(thousand)).toFixed(1)}x the CPU time and ` +
      `${(tenThousand.wall / thousand.wall).toFixed(1)}x the warm wall time for 10x the tasks` +
      ` (aim: 1,000 within 50 ms, 10,000 within 600 ms)`,
  );
  await hostileTable();
}

/**
 * Validation against file size: valid files, files built to make validation work hard (every line a
 * diagnostic, did-you-mean over thousands of names) and the valid file with YAML syntax errors. Each
 * hostile file is timed right after the valid file of the same size, in CPU ms, several times over;
 * its ratio is the median of the ratios of those pairs (aim: every kind within 5x, up to 5 MB).
 */
const HOSTILE_SIZES: Array<[bytes: number, repetitions: number]> = [
  [256 * 1024, 5],
  [1024 * 1024, 5],
  [5 * 1024 * 1024, 3],
];
const ALL_KINDS = [...HOSTILE_KINDS.filter((kind) => kind !== 'valid'), ...SYNTAX_ERROR_KINDS];

async function hostileTable(): Promise<void> {
  for (const kind of ['valid' as const, ...ALL_KINDS]) loadDag(hostileDag(kind, 64 * 1024), 'warm-up.yaml');
  const rows: string[][] = [];
  for (const [bytes, repetitions] of HOSTILE_SIZES) {
    const valid = hostileDag('valid', bytes);
    const timed = (text: string, file: string): { ms: number; shown: number } => {
      const c0 = process.cpuUsage();
      const { diagnostics } = loadDag(text, file);
      return { ms: cpuMs(c0, process.cpuUsage()), shown: diagnostics.length };
    };
    const validMs: number[] = [];
    for (const kind of ALL_KINDS) {
      const text = hostileDag(kind, bytes);
      const ms: number[] = [];
      const ratios: number[] = [];
      let shown = 0;
      for (let i = 0; i < repetitions; i++) {
        const base = timed(valid, 'valid.yaml').ms;
        const run = timed(text, `${kind}.yaml`);
        validMs.push(base);
        ms.push(run.ms);
        ratios.push(run.ms / base);
        shown = run.shown;
      }
      rows.push([
        (Buffer.byteLength(text) / 1024 / 1024).toFixed(2),
        kind,
        median(ms).toFixed(0),
        median(ratios).toFixed(1),
        `${Math.min(...ratios).toFixed(1)}-${Math.max(...ratios).toFixed(1)}`,
        String(shown),
      ]);
    }
    rows.push([
      (Buffer.byteLength(valid) / 1024 / 1024).toFixed(2),
      'valid',
      median(validMs).toFixed(0),
      '1.0',
      '',
      '0',
    ]);
  }
  console.log(
    '\n### Validation time against file size (CPU ms, median; each run paired with a run of the valid file of the same size)\n',
  );
  console.log(
    formatTable(['MiB', 'kind', 'ms', 'ratio to valid', 'range of ratios', 'diagnostics shown'], rows),
  );
}

function measure(text: string, file: string): Sample {
  const wall0 = performance.now();
  const c0 = process.cpuUsage();
  const { dag, diagnostics } = loadDag(text, file);
  const c1 = process.cpuUsage();
  if (!dag) throw new Error(`generated DAG is invalid: ${diagnostics[0]?.message}`);
  stableStringify(buildIr(dag, text));
  const c2 = process.cpuUsage();
  const wall = performance.now() - wall0;
  parseFile(text, file);
  const c3 = process.cpuUsage();
  return { validate: cpuMs(c0, c1), ir: cpuMs(c1, c2), yaml: cpuMs(c2, c3), wall };
}

const cpuMs = (from: NodeJS.CpuUsage, to: NodeJS.CpuUsage): number =>
  (to.user - from.user + (to.system - from.system)) / 1000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
