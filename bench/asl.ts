import { performance } from 'node:perf_hooks';
import { formatTable } from '../src/cli/table.ts';
import { compileAsl } from '../src/compiler/aws/emit/asl.ts';
import { PER_POLL, quietRunCost } from '../src/compiler/aws/limits/cost-model.ts';
import { maxStateBytes } from '../src/compiler/aws/limits/limits.ts';
import { awsTarget } from '../src/compiler/aws/target.ts';
import { TRIGGER_RULES } from '../src/dag/vocabulary.ts';
import { planTarget } from '../src/compiler/plan-target.ts';
import { simulateAzure } from '../src/local/azure/simulate.ts';
import type { TaskSketch } from '../test/compiler/aws/plan-fixture.ts';
import { planOf } from '../test/compiler/aws/plan-fixture.ts';
import { prng, randomDag } from '../test/compiler/aws/random-dags.ts';
import { referenceSchedule } from '../test/azure/reference-schedule.ts';
import { buildIr } from '../src/compiler/build-ir.ts';
import type { PlanIR } from '../src/compiler/ir.ts';
import { loadDag } from '../src/dag/validate.ts';
import { runAsl } from '../src/local/aws/aws-engine.ts';
import { simulateAws } from '../src/local/simulate/simulate-aws.ts';
import { generateDagYaml } from './generate-dag.ts';
import { LOOP_POLLING, pollingJob, RETRY_POLLING } from './polling-encodings.ts';

/**
 * The Step Functions backend: compile time of both targets, makespan against the reference schedule,
 * largest observed state against its bound, transitions and history per task and per poll, and a
 * simulated 1,000-task run on both engines.
 * Times are CPU time of this process (user + system) beside wall time: the machine is shared.
 */
export async function run(): Promise<void> {
  compileTimes();
  await slowdowns();
  await stateBounds();
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
    const text = generateDagYaml({ tasks, seed: 1 });
    const file = `bench_${tasks}.yaml`;
    const ir = (): PlanIR => {
      const { dag, diagnostics } = loadDag(text, file);
      if (!dag) throw new Error(`generated DAG is invalid: ${diagnostics[0]?.message}`);
      return buildIr(dag, text);
    };
    // Each target as `airless compile` runs it by default: parse, validate, IR, emit (aws: limits).
    const plan = timed(() => planTarget.emit(ir()));
    const aws = timed(() => awsTarget.emit(ir()));
    // `airless compile --validate`: the same, and asl-validator on every state machine.
    const validated = timed(() => awsTarget.emit(ir(), { validate: true }));
    const compiled = compileAsl(ir());
    const minified = [compiled.definition, ...Object.values(compiled.children)].reduce(
      (n, m) => n + Buffer.byteLength(JSON.stringify(m)),
      0,
    );
    rows.push([
      String(tasks),
      plan.cpu_ms.toFixed(0),
      aws.cpu_ms.toFixed(0),
      (aws.cpu_ms / plan.cpu_ms).toFixed(2),
      validated.cpu_ms.toFixed(0),
      (validated.cpu_ms / plan.cpu_ms).toFixed(2),
      compiled.structure.mode,
      String(compiled.structure.gated.length),
      String(Object.keys(compiled.children).length),
      (aws.value.length / 1024).toFixed(0),
      (minified / tasks).toFixed(0),
    ]);
  }
  console.log(
    '\n### compile, both targets (generated DAGs), CPU time of parse + IR + emit, as `airless compile` (aws: limits checked; --validate: asl-validator too)\n',
  );
  console.log(
    formatTable(
      [
        'tasks',
        'plan cpu ms',
        'aws cpu ms',
        'aws / plan',
        'aws --validate cpu ms',
        'that / plan',
        'mode',
        'gated',
        'children',
        'aws output KiB',
        'minified bytes / task',
      ],
      rows,
    ),
  );
}

/** Random DAGs with caps, rules, empty tasks and failures: aws makespan against the reference. */
async function slowdowns(): Promise<void> {
  const random = prng(2024);
  const ratios: number[] = [];
  let exact = 0;
  for (let i = 0; i < 30; i++) {
    const tasks = randomDag(random, 10 + Math.floor(random() * 50), 0.05 + random() * 0.25);
    for (const t of Object.values(tasks)) {
      // The reference decides a rule by trying every outcome of the unfinished upstreams (4^k).
      t.up = t.up?.slice(-6);
      t.dur = 1 + random() * 100;
      if (random() < 0.2) t.op = 'empty';
      if (random() < 0.3) t.rule = TRIGGER_RULES[Math.floor(random() * TRIGGER_RULES.length)]!;
    }
    const fail = Object.keys(tasks).filter(() => random() < 0.05);
    const plan = planOf(tasks, { max_active_tasks: 1 + Math.floor(random() * 6) });
    const trace = await simulateAws(plan, { conf: {}, fail });
    const ref = Object.values(referenceSchedule(plan, fail)).reduce((m, r) => Math.max(m, r.end_s ?? 0), 0);
    const ratio = ref === 0 ? 1 : trace.makespan_s / ref;
    ratios.push(ratio);
    if (Math.abs(ratio - 1) < 1e-9) exact++;
  }
  const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
  console.log(
    '\n### slowdown against the reference schedule (greedy list scheduling, Airflow priority rule)\n',
  );
  console.log(
    formatTable(
      ['DAGs', 'tasks', 'caps', 'mean aws / reference', 'max', 'exactly equal'],
      [
        [
          String(ratios.length),
          '10..59',
          '1..6',
          mean.toFixed(3),
          Math.max(...ratios).toFixed(3),
          `${exact} / ${ratios.length}`,
        ],
      ],
    ),
  );
}

/** A root, then `layers` layers of two tasks, each fully connected to the layer before. */
function ladder(layers: number): Record<string, TaskSketch> {
  const tasks: Record<string, TaskSketch> = { root: { dur: 10 } };
  let previous = ['root'];
  for (let i = 1; i <= layers; i++) {
    const layer = [`x${i}`, `y${i}`];
    layer.forEach((id, k) => {
      tasks[id] = { up: previous, rule: TRIGGER_RULES[(2 * i + k) % 11], dur: 5, reads: previous };
    });
    previous = layer;
  }
  return tasks;
}

async function stateBounds(): Promise<void> {
  const rows: string[][] = [];
  for (const layers of [8, 24, 48]) {
    const plan = planOf(ladder(layers), { max_active_tasks: 1 });
    let largest = 0;
    await simulateAws(plan, {
      conf: {},
      fail: ['root'],
      onEvent: (event) => {
        for (const v of [event.state?.input, event.state?.output])
          if (v !== undefined) largest = Math.max(largest, Buffer.byteLength(JSON.stringify(v)));
      },
    });
    rows.push([
      String(plan.tasks.length),
      String(largest),
      String(maxStateBytes(plan, compileAsl(plan).structure)),
    ]);
  }
  console.log(
    '\n### workflow state: largest observed vs compile-time bound (ladders, failed root, every rule)\n',
  );
  console.log(formatTable(['tasks', 'largest observed bytes', 'bound bytes'], rows));
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
    const compiled = compileAsl(plan);
    const quiet = [compiled.definition, ...Object.values(compiled.children)]
      .map((m) => quietRunCost(plan, m))
      .reduce((a, b) => ({
        transitions: a.transitions + b.transitions,
        history_events: a.history_events + b.history_events,
      }));
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
  const rows: string[][] = [];
  for (const [engine, simulate] of [
    ['aws (aws-local-stepfunctions, gates)', simulateAws],
    ['azure (local Durable host)', simulateAzure],
  ] as const) {
    const cpu = process.cpuUsage();
    const wall = performance.now();
    const trace = await simulate(plan, { conf: {}, fail: [] });
    const used = process.cpuUsage(cpu);
    rows.push([
      engine,
      ((used.user + used.system) / 1e6).toFixed(2),
      ((performance.now() - wall) / 1000).toFixed(2),
      String(trace.history_events),
      `${(trace.makespan_s / 3600).toFixed(3)} h`,
    ]);
  }
  console.log('\n### airless run --simulate, 1,000 generated tasks, both engines\n');
  console.log(formatTable(['engine', 'cpu s', 'wall s', 'history events', 'virtual makespan'], rows));
}
