import { describe, expect, it } from 'vitest';
import { runAsl } from '../../../src/local/aws/aws-engine.ts';
import type { EngineEvent } from '../../../src/local/aws/aws-engine.ts';
import { CALLBACK_RESOURCE, CHILD_RESOURCE } from '../../../src/local/aws/integrations.ts';
import { LocalTaskTokens } from '../../../src/local/aws/task-tokens.ts';

const parent = (extra: Record<string, unknown> = {}, more: Record<string, unknown> = {}) => ({
  StartAt: 'Part',
  States: {
    ...more,
    Part: {
      Type: 'Task',
      Resource: CHILD_RESOURCE,
      Parameters: {
        StateMachineArn: '${Child_3}',
        Input: { 'x.$': '$.x', 'run_key.$': '$$.Execution.Id' },
      },
      ...extra,
    },
  },
});

const ARN = /^arn:aws:states:us-east-1:000000000000:execution:/;

describe('child executions (states:startExecution.sync:2) in runAsl', () => {
  it("returns the child's DescribeExecution with Input and Output as JSON; each execution counts its own events", async () => {
    const seen: unknown[] = [];
    const events: EngineEvent[] = [];
    const child = {
      StartAt: 'Work',
      States: {
        Work: { Type: 'Task', Resource: '${TaskHandlerArn}', ResultPath: '$.out', Next: 'Done' },
        Done: { Type: 'Pass', End: true },
      },
    };
    const result = await runAsl(
      parent({ ResultSelector: { 'out.$': '$.Output.out', 'status.$': '$.Status' }, End: true }),
      { x: 7 },
      {
        resources: { TaskHandlerArn: async (p) => (seen.push(p), { doubled: 14 }) },
        children: { Child_3: child },
        onEvent: (e) => events.push(e),
      },
    );
    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      output: { out: { doubled: 14 }, status: 'SUCCEEDED' },
    });
    const [top, sub] = result.executions;
    expect(result.executions).toHaveLength(2);
    expect(sub).toMatchObject({ state_machine: 'Child_3', parent: top!.execution_arn, status: 'SUCCEEDED' });
    expect(sub!.execution_arn).toMatch(ARN);
    // The child gets the parent's $$.Execution.Id as the run key through its Input.
    expect(seen).toEqual([{ x: 7, run_key: top!.execution_arn }]);
    // Parent: ExecutionStarted, TaskStateEntered, Scheduled, Started, Submitted, Succeeded, Exited,
    // ExecutionSucceeded. Child: 1 + Task 4 + exit 1 + Pass 2 + 1.
    expect([top!.transitions, top!.history_events]).toEqual([1, 8]);
    expect([sub!.transitions, sub!.history_events]).toEqual([2, 9]);
    expect([result.transitions, result.history_events]).toEqual([3, 17]);
    const childEvents = events.filter((e) => e.execution === sub!.execution_arn);
    expect(childEvents.map((e) => e.type)).toContain('ExecutionSucceeded');
    expect(events.filter((e) => e.execution === undefined).every((e) => e.state?.name !== 'Work')).toBe(true);
  });

  it('returns the whole description in the shape AWS gives .sync:2', async () => {
    const result = await runAsl(
      parent({ End: true }),
      { x: 1 },
      {
        resources: {},
        children: {
          Child_3: { StartAt: 'P', States: { P: { Type: 'Pass', Result: { ok: true }, End: true } } },
        },
      },
    );
    const d = result.output as Record<string, unknown>;
    expect(Object.keys(d)).toEqual([
      'ExecutionArn',
      'Input',
      'InputDetails',
      'Name',
      'Output',
      'OutputDetails',
      'RedriveCount',
      'RedriveStatus',
      'RedriveStatusReason',
      'StartDate',
      'StateMachineArn',
      'Status',
      'StopDate',
    ]);
    expect(d).toMatchObject({
      ExecutionArn: result.executions[1]!.execution_arn,
      Input: { x: 1, run_key: result.execution_arn },
      Output: { ok: true },
      StateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Child_3',
      Status: 'SUCCEEDED',
    });
    expect(typeof d.StartDate).toBe('number');
  });

  it('fails the task with States.TaskFailed, the failed description as the cause', async () => {
    const result = await runAsl(
      parent(
        { Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.err', Next: 'Caught' }], End: true },
        { Caught: { Type: 'Pass', End: true } },
      ),
      { x: 2 },
      {
        resources: {},
        children: {
          Child_3: { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'ChildBroke', Cause: 'bad' } } },
        },
      },
    );
    expect(result.status).toBe('SUCCEEDED');
    const err = (result.output as { err: { Error: string; Cause: string } }).err;
    expect(err.Error).toBe('States.TaskFailed');
    expect(JSON.parse(err.Cause)).toMatchObject({ Status: 'FAILED', Error: 'ChildBroke', Cause: 'bad' });
    expect(result.executions.map((e) => e.status)).toEqual(['SUCCEEDED', 'FAILED']);
  });

  it('parks callback tasks of a child in the same token store', async () => {
    const tokens = new LocalTaskTokens();
    const waits: { token: string; run_key: string }[] = [];
    const child = {
      StartAt: 'Gate',
      States: {
        Gate: {
          Type: 'Task',
          Resource: CALLBACK_RESOURCE,
          Parameters: {
            FunctionName: '${GateHandlerArn}',
            Payload: { 'token.$': '$$.Task.Token', 'run_key.$': '$.run_key' },
          },
          End: true,
        },
      },
    };
    const running = runAsl(
      parent({ OutputPath: '$.Output', End: true }),
      { x: 3 },
      {
        resources: { GateHandlerArn: async (p) => (waits.push(p as never), null) },
        tokens,
        children: { Child_3: child },
      },
    );
    for (let i = 0; i < 2000 && tokens.parkedCount === 0; i++) await new Promise((r) => setImmediate(r));
    expect(tokens.parkedCount).toBe(1);
    await tokens.sendTaskSuccess(waits[0]!.token, { verdict: 'run', outputs: {} });
    const result = await running;
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { verdict: 'run', outputs: {} } });
    expect(waits[0]!.run_key).toBe(result.execution_arn);
  });

  it('stops the child when its task times out, and retires the tokens it parked', async () => {
    const tokens = new LocalTaskTokens();
    const waits: { token: string }[] = [];
    const child = {
      StartAt: 'Gate',
      States: {
        Gate: {
          Type: 'Task',
          Resource: CALLBACK_RESOURCE,
          Parameters: { FunctionName: '${GateHandlerArn}', Payload: { 'token.$': '$$.Task.Token' } },
          End: true,
        },
      },
    };
    const result = await runAsl(
      parent({ TimeoutSeconds: 1, End: true }),
      { x: 4 },
      {
        resources: { GateHandlerArn: async (p) => (waits.push(p as never), null) },
        tokens,
        children: { Child_3: child },
      },
    );
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(result.executions.map((e) => e.status)).toEqual(['FAILED', 'ABORTED']);
    expect(tokens.parkedCount).toBe(0);
    await expect(tokens.sendTaskSuccess(waits[0]!.token, {})).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  it('refuses a child reference without a definition', async () => {
    await expect(runAsl(parent({ End: true }), {}, { resources: {} })).rejects.toThrow(
      /no child definition given for \$\{Child_3\}/,
    );
  });
});
