import { afterEach, describe, expect, it } from 'vitest';
import {
  FN,
  jobInstanceId,
  runInstanceId,
  taskInstanceId,
  type RunInput,
  type RunResult,
} from '../../src/azure/contract.ts';
import { POLLS_PER_EXECUTION } from '../../src/azure/orchestrators/job-orchestrator.ts';
import { AirlessError } from '../../src/errors.ts';
import type { TaskInvocation } from '../../src/handlers/contract.ts';
import { EventType } from '../../src/local/azure/history.ts';
import { openLocalDurable, type LocalDurable } from '../../src/local/azure/index.ts';
import { genieTask, planFromYaml, runOf } from './helpers.ts';

// The task handler core is replaced by a scripted fake at its own seam (handleTask); the Durable
// functions, the local host and durable-functions' replay code are the real ones.
let local: LocalDurable | null = null;
afterEach(async () => {
  await local?.close();
  local = null;
});

interface Call {
  op: string;
  at_s: number;
  try_number: number;
}

function scriptedHandler(pollsUntilDone: number, calls: Call[], errors: Record<number, string> = {}) {
  let polls = 0;
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  return async (inv: TaskInvocation): Promise<unknown> => {
    calls.push({ op: inv.op, at_s: (local!.host.now - t0) / 1000, try_number: inv.try_number });
    const injected = errors[calls.length];
    if (injected !== undefined) throw new AirlessError(injected as never, `injected ${injected}`);
    if (inv.op === 'submit') {
      const job = {
        operator: 'genie',
        job_name: `j-${inv.try_number}`,
        job_id: 'id-1',
        handle: {},
        submitted_at: 'x',
      };
      return { job };
    }
    if (inv.op === 'cancel') return { output: {} };
    polls += 1;
    if (polls < pollsUntilDone) throw new AirlessError('StillRunning', `poll ${polls}`);
    return { output: { job_id: 'id-1', status: 'SUCCEEDED' } };
  };
}

async function run(yaml: string, handler: (inv: TaskInvocation) => Promise<unknown>): Promise<RunResult> {
  const plan = planFromYaml(yaml);
  local = await openLocalDurable({
    clock: 'virtual',
    startMs: Date.parse('2026-01-01T00:00:00Z'),
    handleTask: handler,
  });
  const id = runInstanceId(plan.dag_id, 'r1');
  const input: RunInput = { plan, run: runOf(plan), simulate: null };
  local.host.startNew(FN.run, id, input);
  const status = await local.host.waitFor(id);
  expect(status.runtimeStatus).toBe('Completed');
  return status.output as RunResult;
}

describe('job sub-orchestration', () => {
  it('submits once, polls on durable timers backing off from poke_interval to max_poke_interval', async () => {
    const calls: Call[] = [];
    const result = await run(
      `dag_id: poll\ntasks:\n  a:${genieTask('')}\n  b:\n    operator: empty\n    depends_on: [a]\n`,
      scriptedHandler(6, calls),
    );
    expect(result.state).toBe('success');
    expect(calls.map((c) => c.op)).toEqual(['submit', 'poll', 'poll', 'poll', 'poll', 'poll', 'poll']);
    const gaps = calls.slice(1).map((c, i) => c.at_s - calls[i]!.at_s);
    expect(gaps).toEqual([60, 120, 240, 300, 300, 300]);
    expect(result.tasks.a).toMatchObject({ state: 'success', try_number: 1, start_s: 0, end_s: 1320 });
    expect(result.tasks.b).toMatchObject({ state: 'success', start_s: 1320 });
  });

  it('cancels the execution_timeout timer when the try ends first: it never fires', async () => {
    const calls: Call[] = [];
    const result = await run(
      `dag_id: early\ntasks:\n  a:${genieTask('\n    execution_timeout: 1h')}\n`,
      scriptedHandler(3, calls),
    );
    expect(result.tasks.a).toMatchObject({ state: 'success', end_s: 420 });
    const history = local!.host.historyOf(taskInstanceId(runInstanceId('early', 'r1'), 'a'));
    const deadline = history.find((e) => e.EventType === EventType.TimerCreated)!;
    expect(new Date(deadline.FireAt as string).getTime() - Date.parse('2026-01-01T00:00:00Z')).toBe(
      3_600_000,
    );
    expect(history.some((e) => e.EventType === EventType.TimerFired && e.TimerId === deadline.EventId)).toBe(
      false,
    );
    expect(local!.host.now).toBeLessThan(Date.parse('2026-01-01T01:00:00Z'));
  });

  it('continues as new after a bounded number of polls, so no history grows without bound', async () => {
    const calls: Call[] = [];
    const polls = 2 * POLLS_PER_EXECUTION + 7;
    const result = await run(
      `dag_id: longpoll\ntasks:\n  a:${genieTask('\n    execution_timeout: 30d')}\n`,
      scriptedHandler(polls, calls),
    );
    expect(result.tasks.a?.state).toBe('success');
    expect(calls.filter((c) => c.op === 'poll')).toHaveLength(polls);
    expect(calls.filter((c) => c.op === 'submit')).toHaveLength(1);
    const job = local!.host.instances.get(
      jobInstanceId(taskInstanceId(runInstanceId('longpoll', 'r1'), 'a'), 1),
    )!;
    expect(job.execution).toBe(2);
    // One execution: start, then per poll an episode of timer and activity (about 6 events each).
    expect(job.history.length).toBeLessThan(8 * POLLS_PER_EXECUTION);
  });

  it('retries transient handler errors within a try and fails at once on a fatal one', async () => {
    const calls: Call[] = [];
    const ok = await run(
      `dag_id: transient\ntasks:\n  a:${genieTask('')}\n`,
      scriptedHandler(2, calls, { 1: 'Throttled', 3: 'ServiceUnavailable' }),
    );
    expect(ok.tasks.a?.state).toBe('success');
    expect(calls.map((c) => c.op)).toEqual(['submit', 'submit', 'poll', 'poll', 'poll']);
    await local!.close();
    const fatal: Call[] = [];
    const bad = await run(
      `dag_id: fatal\ntasks:\n  a:${genieTask('\n    retries: 3')}\n`,
      scriptedHandler(2, fatal, { 1: 'AuthFailed' }),
    );
    expect(bad.tasks.a).toMatchObject({ state: 'failed', try_number: 1 });
    expect(fatal.map((c) => c.op)).toEqual(['submit']);
  });

  it('bounds each try by execution_timeout: the try fails, its job is cancelled, the retry resubmits', async () => {
    const calls: Call[] = [];
    const result = await run(
      `dag_id: timeout\ntasks:\n  a:${genieTask('\n    execution_timeout: 10m\n    retries: 1\n    retry_delay: 5m')}\n`,
      scriptedHandler(Number.POSITIVE_INFINITY, calls),
    );
    expect(result.state).toBe('failed');
    expect(result.tasks.a).toMatchObject({ state: 'failed', try_number: 2, start_s: 0, end_s: 1500 });
    const cancels = calls.filter((c) => c.op === 'cancel');
    expect(cancels.map((c) => [c.try_number, c.at_s])).toEqual([
      [1, 600],
      [2, 1500],
    ]);
    expect(calls.filter((c) => c.op === 'submit').map((c) => [c.try_number, c.at_s])).toEqual([
      [1, 0],
      [2, 900],
    ]);
    const task = taskInstanceId(runInstanceId('timeout', 'r1'), 'a');
    expect(local!.host.status(jobInstanceId(task, 1))?.runtimeStatus).toBe('Terminated');
    expect(local!.host.status(jobInstanceId(task, 2))?.runtimeStatus).toBe('Terminated');
  });
});
