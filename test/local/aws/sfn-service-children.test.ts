import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { readHistory } from '../../../src/aws/execution-history.ts';
import type { StatusChangeEvent } from '../../../src/local/aws/sfn-service/status-change.ts';
import { deferred, fnArn, ROLE, startService, until } from './sfn-service-fixtures.ts';

let running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.map((r) => r.close()));
  running = [];
});

const CHILD = JSON.stringify({
  StartAt: 'work',
  States: { work: { Type: 'Task', Resource: fnArn('work'), End: true } },
});

const parent = (childArn: string) =>
  JSON.stringify({
    StartAt: 'child',
    States: {
      child: {
        Type: 'Task',
        Resource: 'arn:aws:states:::states:startExecution.sync:2',
        Parameters: { StateMachineArn: childArn, Input: { 'run.$': '$.run', run_key: 'k' } },
        ResultSelector: { 'out.$': '$.Output' },
        Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'failed' }],
        End: true,
      },
      failed: { Type: 'Pass', End: true },
    },
  });

async function setup(work: (event: unknown) => Promise<unknown>) {
  const events: StatusChangeEvent[] = [];
  const s = await startService({
    delays: 'instant',
    functions: { work },
    onExecutionStatusChange: (e) => void events.push(e),
  });
  running.push(s);
  const child = await s.sfn.send(
    new CreateStateMachineCommand({ name: 'child', roleArn: ROLE, definition: CHILD, publish: true }),
  );
  const top = await s.sfn.send(
    new CreateStateMachineCommand({
      name: 'parent',
      roleArn: ROLE,
      definition: parent(child.stateMachineVersionArn!),
    }),
  );
  return { ...s, events, child, top };
}

describe('local Step Functions service: .sync:2 child executions', () => {
  it('runs the child as an execution of its own version; the parent gets its DescribeExecution', async () => {
    const { sfn, service, events, child, top } = await setup(async (e) => ({ seen: e }));
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: top.stateMachineArn,
        name: 'p1',
        input: '{"run":{"id":1}}',
      }),
    );
    await service.whenEnded(executionArn!);
    const done = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ out: { seen: { run: { id: 1 }, run_key: 'k' } } });

    const children = await sfn.send(new ListExecutionsCommand({ stateMachineArn: child.stateMachineArn }));
    expect(children.executions).toHaveLength(1);
    const childRun = children.executions![0]!;
    expect(childRun).toMatchObject({
      status: 'SUCCEEDED',
      stateMachineVersionArn: child.stateMachineVersionArn,
    });
    expect((await readHistory(sfn, childRun.executionArn!)).map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    const history = await readHistory(sfn, executionArn!);
    expect(history.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(history[2]!.taskScheduledEventDetails).toMatchObject({
      resourceType: 'states',
      resource: 'startExecution.sync:2',
    });
    expect(JSON.parse(history[5]!.taskSucceededEventDetails!.output!)).toMatchObject({
      ExecutionArn: childRun.executionArn,
      Status: 'SUCCEEDED',
      StateMachineArn: child.stateMachineVersionArn,
      Output: { seen: { run: { id: 1 }, run_key: 'k' } },
    });
    // Both executions send their status changes (run-finished ignores the child by its run_key).
    expect(
      events
        .filter((e) => e.detail.status === 'SUCCEEDED')
        .map((e) => e.detail.executionArn)
        .sort(),
    ).toEqual([executionArn, childRun.executionArn].sort());
  });

  it('a failed child fails the task with States.TaskFailed; stopping the parent stops its child', async () => {
    const hold = deferred();
    let calls = 0;
    const { sfn, service, child, top } = await setup(async () => {
      if (++calls === 1) throw Object.assign(new Error('bad'), { name: 'JobFailed' });
      return hold.promise;
    });
    const failed = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: top.stateMachineArn, name: 'f', input: '{"run":1}' }),
    );
    await service.whenEnded(failed.executionArn!);
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: failed.executionArn }));
    const out = JSON.parse(d.output!);
    expect(out.error.Error).toBe('States.TaskFailed');
    expect(JSON.parse(out.error.Cause)).toMatchObject({ Status: 'FAILED', Error: 'JobFailed' });

    const stopped = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: top.stateMachineArn, name: 's', input: '{"run":2}' }),
    );
    await until(() => calls === 2, 'the second child runs');
    await sfn.send(new StopExecutionCommand({ executionArn: stopped.executionArn }));
    const children = await sfn.send(new ListExecutionsCommand({ stateMachineArn: child.stateMachineArn }));
    expect(children.executions!.map((e) => e.status)).toEqual(['ABORTED', 'FAILED']);
    expect(
      (await sfn.send(new DescribeExecutionCommand({ executionArn: stopped.executionArn }))).status,
    ).toBe('ABORTED');
  });
});
