import { performance } from 'node:perf_hooks';
import { formatTable } from '../src/cli/table.ts';
import { compileAsl } from '../src/compiler/aws/asl.ts';
import { PER_POLL, quietRunCost } from '../src/compiler/aws/cost-model.ts';
import { limitFacts } from '../src/compiler/aws/limits.ts';
import { buildIr } from '../src/compiler/build-ir.ts';
import type { PlanIR } from '../src/compiler/ir.ts';
import { loadDag } from '../src/dag/validate.ts';
import { runAsl } from '../src/local/aws-engine.ts';
import { simulateAws } from '../src/local/simulate/simulate-aws.ts';
import { generateDagYaml } from './generate-dag.ts';
import { LOOP_POLLING, pollingJob, RETRY_POLLING } from './polling-encodings.ts';

/**
 * The Step Functions backend: compile time to ASL, slowdown of the series-parallel structure against
 * level barriers, transitions and history per task and per poll, and a simulated 1,000-task run.
 * Times are CPU time of this process (user + system) beside wall time: the machine is shared.
 */
export async function run(): Promise<void> {
  compileTimes();
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
    const compiled = timed(() => compileAsl(plan));
    const facts = limitFacts(plan, compiled.value.definition);
    rows.push([
      String(tasks),
      compiled.cpu_ms.toFixed(0),
      compiled.wall_ms.toFixed(0),
      compiled.value.structure.mode,
      String(compiled.value.structure.gated.length),
      String(compiled.value.structure.slots),
      (facts.definition_bytes / 1024).toFixed(0),
      (facts.max_state_bytes / 1024).toFixed(0),
    ]);
  }
  console.log('\n### compile to ASL (generated layered DAGs, max_active_tasks 8)\n');
  console.log(
    formatTable(
      [
        'tasks',
        'compileAsl cpu ms',
        'compileAsl wall ms',
        'mode',
        'gated',
        'slots',
        'definition KiB',
        'max state KiB',
      ],
      rows,
    ),
  );
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
