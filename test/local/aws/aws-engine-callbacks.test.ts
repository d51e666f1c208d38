import { afterEach, describe, expect, it, vi } from 'vitest';
import { AIRLESS_PATCH } from 'aws-local-stepfunctions';
import { runAsl } from '../../../src/local/aws/aws-engine.ts';
import type { AslRunResult } from '../../../src/local/aws/aws-engine.ts';
import { CALLBACK_RESOURCE } from '../../../src/local/aws/integrations.ts';
import { LocalTaskTokens } from '../../../src/local/aws/task-tokens.ts';

/** A callback task as the compiler writes it: the gate handler gets the token in its Payload. */
const gate = (extra: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: CALLBACK_RESOURCE,
  Parameters: {
    FunctionName: '${GateHandlerArn}',
    Payload: { 'task.$': '$.task', 'token.$': '$$.Task.Token', 'run_key.$': '$$.Execution.Id' },
  },
  ...extra,
});

interface Wait {
  task: unknown;
  token: string;
  run_key: string;
}

/** A gate handler that only records what it was called with (its answer is ignored). */
function recorder() {
  const calls: Wait[] = [];
  return { calls, GateHandlerArn: async (p: unknown) => (calls.push(p as Wait), { ignored: true }) };
}

/** Waits (a bounded number of event-loop turns) until `cond` holds; fails the test otherwise. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  if (!cond()) throw new Error(`never happened: ${what}`);
}

function settledFlag(p: Promise<AslRunResult>) {
  const state = { done: false };
  p.then(
    () => (state.done = true),
    () => (state.done = true),
  );
  return state;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('aws-local-stepfunctions patch', () => {
  it('is applied (npm ci runs patch-package from postinstall)', () => {
    expect(AIRLESS_PATCH).toBe('airless-callbacks-2');
  });
});

describe('callback tasks (.waitForTaskToken) in runAsl', () => {
  it('parks until SendTaskSuccess and returns its output; the token and $$.Execution.Id reach the handler', async () => {
    const tokens = new LocalTaskTokens();
    const gh = recorder();
    const running = runAsl(
      { StartAt: 'Gate', States: { Gate: gate({ ResultPath: '$.gate', End: true }) } },
      { task: 'a' },
      { resources: { GateHandlerArn: gh.GateHandlerArn }, tokens },
    );
    const state = settledFlag(running);
    await until(() => tokens.parkedCount === 1, 'parked');
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    expect(state.done).toBe(false);
    expect(gh.calls).toHaveLength(1);
    const [{ task, token, run_key }] = gh.calls as [Wait];
    expect(task).toBe('a');
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    await tokens.sendTaskSuccess(token, { verdict: 'run', outputs: {} });
    const result = await running;
    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      output: { task: 'a', gate: { verdict: 'run', outputs: {} } },
    });
    expect(run_key).toBe(result.execution_arn);
    expect(run_key).toMatch(/^arn:aws:states:us-east-1:000000000000:execution:StateMachine:[0-9a-f-]{36}$/);
    // ExecutionStarted, TaskStateEntered, TaskScheduled, TaskStarted, TaskSubmitted, TaskSucceeded,
    // TaskStateExited, ExecutionSucceeded.
    expect([result.transitions, result.history_events]).toEqual([1, 8]);
    expect(tokens.parkedCount).toBe(0);
  });

  it('fails the task with the SendTaskFailure error name, which Catch matches; completed tokens answer TaskTimedOut, unknown ones InvalidToken', async () => {
    const tokens = new LocalTaskTokens();
    const gh = recorder();
    const running = runAsl(
      {
        StartAt: 'Gate',
        States: {
          Gate: gate({
            Catch: [
              { ErrorEquals: ['Other'], Next: 'Wrong' },
              { ErrorEquals: ['GateRefused'], ResultPath: '$.err', Next: 'Refused' },
            ],
            End: true,
          }),
          Wrong: { Type: 'Fail', Error: 'Wrong' },
          Refused: { Type: 'Pass', End: true },
        },
      },
      { task: 'b' },
      { resources: { GateHandlerArn: gh.GateHandlerArn }, tokens },
    );
    await until(() => tokens.parkedCount === 1, 'parked');
    const token = gh.calls[0]!.token;
    await tokens.sendTaskFailure(token, 'GateRefused', 'upstream failed');
    const result = await running;
    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      output: { task: 'b', err: { Error: 'GateRefused', Cause: 'upstream failed' } },
    });
    await expect(tokens.sendTaskSuccess(token, {})).rejects.toMatchObject({ name: 'TaskTimedOut' });
    await expect(tokens.sendTaskFailure(token, 'E', 'c')).rejects.toMatchObject({ name: 'TaskTimedOut' });
    await expect(tokens.sendTaskSuccess('never-issued', {})).rejects.toMatchObject({ name: 'InvalidToken' });
  });

  it('times out with States.Timeout after TimeoutSeconds (not matched by States.TaskFailed); the token is then TaskTimedOut', async () => {
    const tokens = new LocalTaskTokens();
    const gh = recorder();
    const result = await runAsl(
      {
        StartAt: 'Gate',
        States: {
          Gate: gate({
            TimeoutSeconds: 1,
            Catch: [
              { ErrorEquals: ['States.TaskFailed'], Next: 'Wrong' },
              { ErrorEquals: ['States.Timeout'], ResultPath: '$.err', Next: 'TimedOut' },
            ],
            End: true,
          }),
          Wrong: { Type: 'Fail', Error: 'Wrong' },
          TimedOut: { Type: 'Pass', End: true },
        },
      },
      { task: 'c' },
      { resources: { GateHandlerArn: gh.GateHandlerArn }, tokens },
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { err: { Error: 'States.Timeout' } } });
    expect(tokens.parkedCount).toBe(0);
    await expect(tokens.sendTaskSuccess(gh.calls[0]!.token, {})).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
  });

  it('has no timeout without TimeoutSeconds (the engine defaults plain tasks to 60 s)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const tokens = new LocalTaskTokens();
    const gh = recorder();
    const running = runAsl(
      { StartAt: 'Gate', States: { Gate: gate({ End: true }) } },
      { task: 'd' },
      { resources: { GateHandlerArn: gh.GateHandlerArn }, tokens },
    );
    const plain = runAsl(
      { StartAt: 'Slow', States: { Slow: { Type: 'Task', Resource: '${Slow}', End: true } } },
      {},
      { resources: { Slow: () => new Promise(() => {}) } },
    );
    const state = settledFlag(running);
    await until(() => tokens.parkedCount === 1, 'parked');
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(await plain).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(state.done).toBe(false);
    await tokens.sendTaskSuccess(gh.calls[0]!.token, { ok: 1 });
    expect(await running).toMatchObject({ status: 'SUCCEEDED', output: { ok: 1 } });
  });

  it('keeps a TimeoutSeconds beyond what one timer holds (24.8 days) instead of firing at once', async () => {
    const tokens = new LocalTaskTokens();
    const gh = recorder();
    const running = runAsl(
      { StartAt: 'Gate', States: { Gate: gate({ TimeoutSeconds: 31_536_000, End: true }) } },
      { task: 'y' },
      { resources: { GateHandlerArn: gh.GateHandlerArn }, tokens },
    );
    await until(() => tokens.parkedCount === 1, 'parked');
    await new Promise((r) => setTimeout(r, 20));
    expect(tokens.parkedCount).toBe(1);
    await tokens.sendTaskSuccess(gh.calls[0]!.token, { ok: 2 });
    expect(await running).toMatchObject({ status: 'SUCCEEDED', output: { ok: 2 } });
  });

  it('issues a fresh token on every entry and every retry attempt', async () => {
    const tokens = new LocalTaskTokens();
    const gh = recorder();
    const running = runAsl(
      {
        StartAt: 'Gate',
        States: {
          Gate: gate({
            ResultPath: '$.gate',
            Retry: [{ ErrorEquals: ['Again'], MaxAttempts: 1, IntervalSeconds: 5 }],
            Next: 'Loop',
          }),
          Loop: {
            Type: 'Choice',
            Choices: [{ Variable: '$.gate.last', BooleanEquals: false, Next: 'Gate' }],
            Default: 'Done',
          },
          Done: { Type: 'Succeed' },
        },
      },
      { task: 'e' },
      { resources: { GateHandlerArn: gh.GateHandlerArn }, tokens },
    );
    await until(() => gh.calls.length === 1 && tokens.parkedCount === 1, 'first attempt parked');
    await tokens.sendTaskFailure(gh.calls[0]!.token, 'Again', 'retry me');
    await until(() => gh.calls.length === 2 && tokens.parkedCount === 1, 'retry parked');
    await tokens.sendTaskSuccess(gh.calls[1]!.token, { last: false });
    await until(() => gh.calls.length === 3 && tokens.parkedCount === 1, 'second entry parked');
    await tokens.sendTaskSuccess(gh.calls[2]!.token, { last: true });
    const result = await running;
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { gate: { last: true } } });
    expect(new Set(gh.calls.map((c) => c.token)).size).toBe(3);
    // Two entries of Gate (one retried) and one of Loop between them, one after, and Done.
    expect(result.transitions).toBe(6);
    await expect(tokens.sendTaskSuccess(gh.calls[0]!.token, {})).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
  });

  it('takes a token completed before the resource call returns', async () => {
    const tokens = new LocalTaskTokens();
    let returned = false;
    const result = await runAsl(
      { StartAt: 'Gate', States: { Gate: gate({ End: true }) } },
      { task: 'f' },
      {
        resources: {
          GateHandlerArn: async (p) => {
            await tokens.sendTaskSuccess((p as Wait).token, { verdict: 'skipped', outputs: {} });
            await new Promise((r) => setTimeout(r, 20));
            returned = true;
            return null;
          },
        },
        tokens,
      },
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { verdict: 'skipped', outputs: {} } });
    expect(returned).toBe(true);
  });

  it('fails the task with the error of a resource call that throws before the token is completed', async () => {
    const tokens = new LocalTaskTokens();
    const result = await runAsl(
      { StartAt: 'Gate', States: { Gate: gate({ End: true }) } },
      { task: 'g' },
      {
        resources: {
          GateHandlerArn: async () => {
            const e = new Error('table unavailable');
            e.name = 'ServiceUnavailable';
            throw e;
          },
        },
        tokens,
      },
    );
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'ServiceUnavailable',
      cause: 'table unavailable',
    });
    expect(tokens.parkedCount).toBe(0);
  });

  it('parks 200 branches of one Parallel at once and wakes them all (no 40-branch limit)', async () => {
    const tokens = new LocalTaskTokens();
    const gh = recorder();
    const n = 200;
    const branches = Array.from({ length: n }, (_, i) => ({
      StartAt: `Gate${i}`,
      States: {
        [`Gate${i}`]: gate({
          Parameters: { ...gate().Parameters, Payload: { task: `t${i}`, 'token.$': '$$.Task.Token' } },
          End: true,
        }),
      },
    }));
    const running = runAsl(
      { StartAt: 'All', States: { All: { Type: 'Parallel', Branches: branches, End: true } } },
      {},
      { resources: { GateHandlerArn: gh.GateHandlerArn }, tokens },
    );
    await until(() => tokens.parkedCount === n, `${n} parked`);
    for (const c of [...gh.calls].reverse()) await tokens.sendTaskSuccess(c.token, { task: c.task });
    const result = await running;
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual(Array.from({ length: n }, (_, i) => ({ task: `t${i}` })));
  });

  it('retires the tokens of branches stopped by a failed sibling', async () => {
    const tokens = new LocalTaskTokens();
    const gh = recorder();
    let fail!: () => void;
    const result = runAsl(
      {
        StartAt: 'Both',
        States: {
          Both: {
            Type: 'Parallel',
            End: true,
            Branches: [
              { StartAt: 'Gate', States: { Gate: gate({ End: true }) } },
              { StartAt: 'Boom', States: { Boom: { Type: 'Task', Resource: '${Boom}', End: true } } },
            ],
          },
        },
      },
      { task: 'h' },
      {
        resources: {
          GateHandlerArn: gh.GateHandlerArn,
          Boom: () =>
            new Promise((_, reject) => {
              fail = () => reject(Object.assign(new Error('boom'), { name: 'JobFailed' }));
            }),
        },
        tokens,
      },
    );
    await until(() => tokens.parkedCount === 1 && fail !== undefined, 'parked');
    fail();
    expect(await result).toMatchObject({ status: 'FAILED', error: 'JobFailed' });
    expect(tokens.parkedCount).toBe(0);
    await expect(tokens.sendTaskSuccess(gh.calls[0]!.token, {})).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
  });

  it('refuses a callback definition without a token store or without its resource', async () => {
    const def = { StartAt: 'Gate', States: { Gate: gate({ End: true }) } };
    await expect(runAsl(def, {}, { resources: { GateHandlerArn: async () => null } })).rejects.toThrow(
      /needs options.tokens/,
    );
    await expect(runAsl(def, {}, { resources: {}, tokens: new LocalTaskTokens() })).rejects.toThrow(
      /no resource given for \$\{GateHandlerArn\}/,
    );
  });
});
