import { buildIr } from '../src/compiler/build-ir.ts';
import type { PlanIR } from '../src/compiler/ir.ts';
import { FN, runInstanceId, type RunInput } from '../src/azure/contract.ts';
import { POLLS_PER_EXECUTION } from '../src/azure/orchestrators/job-orchestrator.ts';
import { loadDag } from '../src/dag/validate.ts';
import { AirlessError } from '../src/errors.ts';
import type { TaskInvocation } from '../src/handlers/contract.ts';
import type { HostStats } from '../src/local/azure/host.ts';
import { openLocalDurable } from '../src/local/azure/index.ts';
import { runDagOnDurable } from '../src/local/azure/run-dag.ts';
import { generateDagYaml } from './generate-dag.ts';

/**
 * The Durable backend in the local host: history events and replay time per task and per poll,
 * with full replay (what the Durable extension does for a JavaScript orchestrator, every episode
 * from the start) and incremental replay (kept replay state), and a 1,000-task simulated run.
 */
const RUN = { run_id: 'bench', logical_date: '2026-01-01T00:00:00.000Z', conf: {}, params: {} };

function planOf(yaml: string): PlanIR {
  const { dag } = loadDag(yaml, 'bench.yaml');
  if (dag === null) throw new Error('bench DAG does not validate');
  return buildIr(dag, yaml);
}

const f = (n: number, digits = 2): string => n.toFixed(digits);

async function perTask(tasks: number, replay: 'full' | 'incremental'): Promise<string> {
  const plan = planOf(generateDagYaml({ tasks, seed: 3 }));
  const t0 = performance.now();
  const r = await runDagOnDurable(plan, { ...RUN, dag_id: plan.dag_id }, { simulate: { fail: [] }, replay });
  const wall = performance.now() - t0;
  const s = r.stats;
  return `| ${tasks} | ${replay} | ${f(s.historyEvents / tasks, 1)} | ${f(s.episodes / tasks, 2)} | ${f(s.replayedEvents / tasks, 1)} | ${f(s.replayMs / tasks, 3)} | ${f(wall / 1000, 1)} |`;
}

async function perPoll(polls: number, replay: 'full' | 'incremental'): Promise<string> {
  const yaml = `dag_id: poll_bench\ntasks:\n  job:\n    operator: genie\n    endpoint: https://genie.example.com\n    command_tags: [t]\n    cluster_tags: [c]\n    command_arguments: x\n    poke_interval: 10s\n    max_poke_interval: 10s\n    execution_timeout: 30d\n`;
  const plan = planOf(yaml);
  let n = 0;
  const handleTask = async (inv: TaskInvocation): Promise<unknown> => {
    if (inv.op === 'submit')
      return { job: { operator: 'genie', job_name: 'j', job_id: 'j', handle: {}, submitted_at: 'x' } };
    n += 1;
    if (n < polls) throw new AirlessError('StillRunning', 'running');
    return { output: { job_id: 'j' } };
  };
  const base = await measureRun(plan, handleTask, replay);
  n = -Infinity;
  const zero = await measureRun(
    plan,
    async (inv) => (inv.op === 'submit' ? handleTask(inv) : { output: {} }),
    replay,
  );
  const d = (k: keyof HostStats): number => (base[k] - zero[k]) / (polls - 1);
  return `| ${polls} | ${replay} | ${f(d('historyEvents'), 1)} | ${f(d('episodes'), 2)} | ${f(d('replayedEvents'), 1)} | ${f(d('replayMs'), 3)} |`;
}

async function measureRun(
  plan: PlanIR,
  handleTask: (inv: TaskInvocation) => Promise<unknown>,
  replay: 'full' | 'incremental',
): Promise<HostStats> {
  const local = await openLocalDurable({ clock: 'virtual', startMs: 0, handleTask, replay });
  try {
    const input: RunInput = { plan, run: { ...RUN, dag_id: plan.dag_id }, simulate: null };
    local.host.startNew(FN.run, runInstanceId(plan.dag_id, 'bench'), input);
    await local.host.runUntilIdle();
    return { ...local.host.stats };
  } finally {
    await local.close();
  }
}

async function thousand(): Promise<string[]> {
  const plan = planOf(generateDagYaml({ tasks: 1000, seed: 7 }));
  const t0 = performance.now();
  const r = await runDagOnDurable(
    plan,
    { ...RUN, dag_id: plan.dag_id },
    { simulate: { fail: [] }, replay: 'incremental' },
  );
  const wall = performance.now() - t0;
  const states = Object.values(r.result.tasks).filter((t) => t.state === 'success').length;
  const work = plan.tasks.reduce((a, t) => a + t.expected_duration_s, 0);
  return [
    '| tasks | max_active_tasks | run | tasks success | makespan s | critical path s | work / max_active_tasks s | episodes | history events | replay ms | activity ms (client HTTP) | wall s |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    `| 1000 | ${plan.max_active_tasks} | ${r.result.state} | ${states} | ${r.makespan_s} | ${plan.graph.critical_path.seconds} | ${f(work / plan.max_active_tasks, 0)} | ${r.stats.episodes} | ${r.stats.historyEvents} | ${f(r.stats.replayMs, 0)} | ${f(r.stats.activityMs, 0)} | ${f(wall / 1000, 1)} |`,
  ];
}

export async function run(): Promise<void> {
  console.log('\n### Per task (simulated run of a generated DAG; empty tasks run too)\n');
  console.log(
    '| tasks | replay | history events / task | episodes / task | events replayed / task | replay ms / task | wall s |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const tasks of [50, 200])
    for (const mode of ['full', 'incremental'] as const) console.log(await perTask(tasks, mode));
  console.log(`\n### Per poll (job sub-orchestration; continue-as-new every ${POLLS_PER_EXECUTION} polls)\n`);
  console.log(
    '| polls | replay | history events / poll | episodes / poll | events replayed / poll | replay ms / poll |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const polls of [50, 500])
    for (const mode of ['full', 'incremental'] as const) console.log(await perPoll(polls, mode));
  console.log('\n### A 1,000-task simulated run on the Durable engine (incremental replay)\n');
  for (const line of await thousand()) console.log(line);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
