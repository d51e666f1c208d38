import * as df from 'durable-functions';
import type { OrchestrationContext } from 'durable-functions';
import { afterEach, describe, expect, it } from 'vitest';
import { FN, runInstanceId, type RunInput } from '../../src/azure/contract.ts';
import { AirlessError } from '../../src/errors.ts';
import type { TaskInvocation } from '../../src/handlers/contract.ts';
import { openLocalDurable, type LocalDurable } from '../../src/local/azure/index.ts';
import { replayMismatches } from '../../src/local/azure/replay-check.ts';
import { genieTask, planFromYaml, runOf } from './helpers.ts';

let local: LocalDurable | null = null;
afterEach(async () => {
  await local?.close();
  local = null;
});

async function everyInstanceReplays(): Promise<number> {
  let checked = 0;
  for (const [id, inst] of local!.host.instances) {
    expect(await replayMismatches(inst.name, id, inst.input, inst.history), id).toEqual([]);
    checked += 1;
  }
  return checked;
}

describe('replay', () => {
  it('re-running every orchestration from its recorded history gives the same actions', async () => {
    const plan = planFromYaml(`dag_id: replay
max_active_runs: 1
max_active_tasks: 2
tasks:
  a:${genieTask('\n    execution_timeout: 10m\n    retries: 1\n    retry_delay: 1m')}
  b:${genieTask('')}
  c:
    operator: empty
    depends_on: [a, b]
    trigger_rule: one_success
  d:${genieTask('')}
    depends_on: [c]
`);
    let polls = 0;
    const handleTask = async (inv: TaskInvocation): Promise<unknown> => {
      if (inv.op === 'submit')
        return {
          job: { operator: 'genie', job_name: inv.task.task_id, job_id: 'j', handle: {}, submitted_at: 'x' },
        };
      if (inv.op === 'cancel') return { output: {} };
      if (inv.task.task_id === 'a') throw new AirlessError('StillRunning', 'never ends');
      polls += 1;
      if (polls % 3 !== 0) throw new AirlessError('StillRunning', 'not yet');
      return { output: { job_id: 'j' } };
    };
    local = await openLocalDurable({
      clock: 'virtual',
      startMs: Date.parse('2026-01-01T00:00:00Z'),
      handleTask,
    });
    for (const r of ['r1', 'r2']) {
      const input: RunInput = { plan, run: runOf(plan, r), simulate: null };
      local.host.startNew(FN.run, runInstanceId(plan.dag_id, r), input);
    }
    await local.host.runUntilIdle();
    expect(local.host.status(runInstanceId(plan.dag_id, 'r2'))?.runtimeStatus).toBe('Completed');
    // 2 runs, 3 task orchestrations each (c is empty), job tries: a twice, b and d once.
    expect(await everyInstanceReplays()).toBe(2 + 2 * 3 + 2 * 4);
  });

  it('catches an orchestrator that is not deterministic', async () => {
    let replays = 0;
    df.app.activity('echo', { handler: async (x: unknown) => x });
    df.app.orchestration('flaky', function* (context: OrchestrationContext) {
      replays += 1;
      yield context.df.callActivity('echo', 1);
      // Depends on how often the code ran: differs between the live run and a later replay.
      yield context.df.callActivity(replays % 2 === 0 ? 'echo' : 'echo_other', 2);
      return null;
    });
    df.app.activity('echo_other', { handler: async (x: unknown) => x });
    local = await openLocalDurable({ clock: 'virtual' });
    local.host.startNew('flaky', 'f1', null);
    await local.host.runUntilIdle();
    const inst = local.host.instances.get('f1')!;
    expect((await replayMismatches('flaky', 'f1', null, inst.history)).length).toBeGreaterThan(0);
  });
});

describe('incremental replay (kept replay state, like extended sessions)', () => {
  it('writes exactly the histories full replay writes', async () => {
    const plan = planFromYaml(`dag_id: modes
max_active_runs: 1
max_active_tasks: 2
default_args:
  retries: 1
  retry_delay: 1m
  execution_timeout: 5m
tasks:
${['a', 'b', 'c', 'd', 'e']
  .map(
    (id, i) =>
      `  ${id}:${genieTask(`\n    expected_duration: ${2 + i * 2}m`)}${i > 1 ? `\n    depends_on: [${i % 2 ? 'a' : 'b'}]` : ''}`,
  )
  .join('\n')}
  f:
    operator: empty
    depends_on: [c, d, e]
    trigger_rule: one_failed
`);
    const histories = async (replay: 'full' | 'incremental'): Promise<string> => {
      local = await openLocalDurable({
        clock: 'virtual',
        startMs: Date.parse('2026-01-01T00:00:00Z'),
        replay,
      });
      for (const r of ['r1', 'r2']) {
        const input: RunInput = { plan, run: runOf(plan, r), simulate: { fail: ['c'] } };
        local.host.startNew(FN.run, runInstanceId(plan.dag_id, r), input);
      }
      await local.host.runUntilIdle();
      const all = [...local.host.instances.keys()].sort().map((id) => [id, local!.host.historyOf(id)]);
      await local.close();
      local = null;
      return JSON.stringify(all, (k, v: unknown) =>
        k === 'Timestamp' ? new Date(v as string).toISOString() : v,
      );
    };
    const full = await histories('full');
    expect(full.length).toBeGreaterThan(10_000);
    expect(await histories('incremental')).toBe(full);
  });
});
