import { performance } from 'node:perf_hooks';
import { formatTable } from '../src/cli/table.ts';
import { compileAsl } from '../src/compiler/aws/asl.ts';
import { PER_POLL, quietRunCost } from '../src/compiler/aws/cost-model.ts';
import { limitFacts } from '../src/compiler/aws/limits.ts';
import { planStructure } from '../src/compiler/aws/structure.ts';
import { buildIr } from '../src/compiler/build-ir.ts';
import type { PlanIR } from '../src/compiler/ir.ts';
import { loadDag } from '../src/dag/validate.ts';
import { runAsl } from '../src/local/aws-engine.ts';
import { simulateAws } from '../src/local/simulate/simulate-aws.ts';
import { planOf } from '../test/compiler/aws/plan-fixture.ts';
import { prng, randomDag } from '../test/compiler/aws/random-dags.ts';
import { generateDagYaml } from './generate-dag.ts';
import { LOOP_POLLING, pollingJob, RETRY_POLLING } from './polling-encodings.ts';

/**
 * The Step Functions backend: compile time to ASL, slowdown of the series-parallel structure against
 * level barriers, transitions and history per task and per poll, and a simulated 1,000-task run.
 * Times are CPU time of this process (user + system) beside wall time: the machine is shared.
 */
export async function run(): Promise<void> {
  compileTimes();
  slowdowns();
  await pollingCosts();
  await simulation();
}

function generated(tasks: number, seed = 1): PlanIR {
  const text = generateDagYaml({ tasks, seed });
  const { dag, diagnostics } = loadDag(text, `bench_${tasks}.yaml`);
  if (!dag) throw new Error(`generated DAG is invalid: ${diagnostics[0]?.message}`);
  return buildIr(dag, text);
}

function timed<T>(work: () => T): { value: T; cpu_ms: number; wall_ms: number } {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const value = work();
  const used = process.cpuUsage(cpu);
  return { value, cpu_ms: (used.user + used.system) / 1000, wall_ms: performance.now() - wall };
}

function compileTimes(): void {
  const rows: string[][] = [];
  for (const tasks of [1_000, 10_000]) {
    const plan = generated(tasks);
    const structure = timed(() => planStructure(plan));
    const compiled = timed(() => compileAsl(plan));
    const facts = limitFacts(plan, compiled.value.definition);
    rows.push([
      String(tasks),
      structure.cpu_ms.toFixed(0),
      compiled.cpu_ms.toFixed(0),
      compiled.wall_ms.toFixed(0),
      String(compiled.value.structure.added.length),
      compiled.value.structure.slowdown.toFixed(2),
      (compiled.value.structure.compiled_critical_s / cappedBound(plan)).toFixed(2),
      (facts.definition_bytes / 1024).toFixed(0),
      (facts.max_state_bytes / 1024).toFixed(0),
    ]);
  }
  console.log('\n### compile to ASL (generated layered DAGs, max_active_tasks 8)\n');
  console.log(
    formatTable(
      [
        'tasks',
        'structure cpu ms',
        'compileAsl cpu ms',
        'compileAsl wall ms',
        'added orderings',
        'slowdown (incl. lanes)',
        'vs max(critical path, work / cap)',
        'definition KiB',
        'max state KiB',
      ],
      rows,
    ),
  );
  console.log(
    '\nDefinitions this large exceed the 1 MB and 256 KB limits, which `airless compile --target aws` refuses. ' +
      'With max_active_tasks 8 no schedule beats max(critical path, total work / 8); the slowdown against the ' +
      'uncapped critical path is mostly that cap.',
  );
}

/** No schedule under max_active_tasks finishes sooner than this. */
function cappedBound(plan: PlanIR): number {
  const work = plan.tasks.reduce((sum, t) => sum + t.expected_duration_s, 0);
  return Math.max(plan.graph.critical_path.seconds, work / plan.max_active_tasks);
}

/** Critical path with one barrier per topological level (longest path in edges from a root). */
function levelBarrierSeconds(plan: PlanIR): number {
  const level = new Map<string, number>();
  const widest = new Map<number, number>();
  for (const t of plan.tasks) {
    const l = Math.max(-1, ...t.upstream.map((u) => level.get(u)!)) + 1;
    level.set(t.task_id, l);
    widest.set(l, Math.max(widest.get(l) ?? 0, t.expected_duration_s));
  }
  return [...widest.values()].reduce((a, b) => a + b, 0);
}

function slowdowns(): void {
  const families: Array<[string, () => PlanIR | null]> = [];
  const random = prng(2024);
  families.push([
    'random G(n,p), n 6..60, p 0.05..0.35',
    () =>
      planOf(randomDag(random, 6 + Math.floor(random() * 55), 0.05 + random() * 0.3), {
        max_active_tasks: 1e6,
      }),
  ]);
  let seed = 0;
  families.push([
    'generated layered, 20..200 tasks',
    () => {
      const plan = generated(20 + ((seed * 37) % 181), ++seed);
      return { ...plan, max_active_tasks: 1e6 };
    },
  ]);
  const rows: string[][] = [];
  for (const [name, next] of families) {
    const ours: number[] = [];
    const barriers: number[] = [];
    let tried = 0;
    while (ours.length < 200 && tried < 2000) {
      tried++;
      const plan = next()!;
      const s = planStructure(plan);
      if (s.added.length === 0 || s.true_critical_s === 0) continue;
      ours.push(s.slowdown);
      barriers.push(levelBarrierSeconds(plan) / s.true_critical_s);
    }
    for (const [label, values] of [
      ['series-parallel (ours)', ours],
      ['level barriers', barriers],
    ] as const) {
      const sorted = [...values].sort((a, b) => a - b);
      const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
      const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]!;
      rows.push([
        name,
        label,
        String(sorted.length),
        mean.toFixed(3),
        p95.toFixed(3),
        sorted.at(-1)!.toFixed(3),
      ]);
    }
  }
  console.log('\n### slowdown on non-series-parallel DAGs (compiled / true critical path, no task cap)\n');
  console.log(formatTable(['DAGs', 'structure', 'n', 'mean', 'p95', 'max'], rows));
}

async function pollingCosts(): Promise<void> {
  const rows: string[][] = [];
  for (const [name, definition, encoding] of [
    ['Retry on StillRunning (compiled)', RETRY_POLLING, 'retry'],
    ['Wait + Task + Choice loop', LOOP_POLLING, 'loop'],
  ] as const) {
    const cost = (polls: number) =>
      runAsl(definition, {}, { resources: { TaskHandlerArn: pollingJob(encoding, polls) } });
    const [none, ten] = [await cost(0), await cost(10)];
    rows.push([
      name,
      String((ten.transitions - none.transitions) / 10),
      String((ten.history_events - none.history_events) / 10),
    ]);
  }
  console.log('\n### per poll, measured in aws-local-stepfunctions\n');
  console.log(formatTable(['encoding', 'transitions / poll', 'history events / poll'], rows));

  const perTask: string[][] = [];
  for (const tasks of [100, 1_000]) {
    const plan = generated(tasks);
    const quiet = quietRunCost(plan, compileAsl(plan).definition);
    perTask.push([
      String(tasks),
      (quiet.transitions / tasks).toFixed(2),
      (quiet.history_events / tasks).toFixed(2),
      `${PER_POLL.transitions} / ${PER_POLL.history_events}`,
    ]);
  }
  console.log('\n### per task, a run without failures or polls (generated DAGs, model of cost-model.ts)\n');
  console.log(
    formatTable(['tasks', 'transitions / task', 'history events / task', 'per poll (tr / ev)'], perTask),
  );
}

async function simulation(): Promise<void> {
  const plan = generated(1_000);
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const trace = await simulateAws(plan, { conf: {}, fail: [] });
  const used = process.cpuUsage(cpu);
  console.log('\n### airless run --simulate, 1,000 generated tasks (aws-local-stepfunctions)\n');
  console.log(
    formatTable(
      ['tasks', 'cpu s', 'wall s', 'transitions', 'history events', 'virtual makespan'],
      [
        [
          '1000',
          ((used.user + used.system) / 1e6).toFixed(2),
          ((performance.now() - wall) / 1000).toFixed(2),
          String(trace.transitions),
          String(trace.history_events),
          `${(trace.makespan_s / 3600).toFixed(1)} h`,
        ],
      ],
    ),
  );
}
