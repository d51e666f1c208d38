import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineAliasCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidArn,
  InvalidToken,
  ListExecutionsCommand,
  ListStateMachineVersionsCommand,
  PublishStateMachineVersionCommand,
  ResourceNotFound,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StateMachineAlreadyExists,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { handlerCalls, readHistory } from '../../../src/aws/execution-history.ts';
import { publishLive } from '../../../src/aws/registry/state-machine-deploy.ts';
import type { StatusChangeEvent } from '../../../src/local/aws/sfn-service/status-change.ts';
import { deferred, fnArn, ROLE, startService, until } from './sfn-service-fixtures.ts';

let running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.map((r) => r.close()));
  running = [];
});

async function service(options: Parameters<typeof startService>[0] = {}) {
  const s = await startService({ delays: 'instant', ...options });
  running.push(s);
  return s;
}

const machine = (states: Record<string, unknown>, startAt = Object.keys(states)[0]!) =>
  JSON.stringify({ StartAt: startAt, States: states });

/** A task handler call as the compiled ASL makes it: a TaskInvocation payload. */
const invocation = (op: 'submit' | 'poll', tryNumber = 1) => ({
  op,
  try_number: tryNumber,
  run: { dag_id: 'd', run_id: 'r', logical_date: '2026-01-01T00:00:00Z', conf: {}, params: {} },
  task: { task_id: 't1', operator: 'empty', config: {}, wait_for: null, connection: null, secrets: null },
  upstream: {},
});

describe('local Step Functions service: state machines, versions, aliases', () => {
  it('runs the registry deploy code unchanged: create + publish + live alias, then update + republish', async () => {
    const { sfn } = await service();
    const arn = 'arn:aws:states:us-east-1:000000000000:stateMachine:airless-demo';
    const release = { name: 'airless-demo', arn, roleArn: ROLE, versionDescription: 'demo sha256:1' };
    const first = await publishLive(sfn, { ...release, definition: machine({ A: { Type: 'Succeed' } }) });
    expect(first).toEqual({ stateMachineArn: arn, versionArn: `${arn}:1`, aliasArn: `${arn}:live` });
    const second = await publishLive(sfn, { ...release, definition: machine({ B: { Type: 'Succeed' } }) });
    expect(second.versionArn).toBe(`${arn}:2`);
    const alias = await sfn.send(
      new DescribeStateMachineAliasCommand({ stateMachineAliasArn: `${arn}:live` }),
    );
    expect(alias.routingConfiguration).toEqual([{ stateMachineVersionArn: `${arn}:2`, weight: 100 }]);
    expect(alias.creationDate).toBeInstanceOf(Date);
    // Publishing the same revision again gives the same version.
    const again = await sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: arn }));
    expect(again.stateMachineVersionArn).toBe(`${arn}:2`);
    const versions = await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: arn }));
    expect(versions.stateMachineVersions!.map((v) => v.stateMachineVersionArn)).toEqual([
      `${arn}:2`,
      `${arn}:1`,
    ]);
    const v1 = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `${arn}:1` }));
    expect(JSON.parse(v1.definition!).StartAt).toBe('A');
    expect(v1.description).toBe('demo sha256:1');
  });

  it('answers with the named SDK exceptions', async () => {
    const { sfn } = await service();
    const missing = 'arn:aws:states:us-east-1:000000000000:stateMachine:nope';
    await expect(
      sfn.send(new DescribeStateMachineCommand({ stateMachineArn: missing })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(
      sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'not-an-arn' })),
    ).rejects.toBeInstanceOf(InvalidArn);
    await expect(
      sfn.send(
        new DescribeExecutionCommand({
          executionArn: 'arn:aws:states:us-east-1:000000000000:execution:nope:x',
        }),
      ),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(
      sfn.send(
        new UpdateStateMachineAliasCommand({
          stateMachineAliasArn: `${missing}:live`,
          routingConfiguration: [{ stateMachineVersionArn: `${missing}:1`, weight: 100 }],
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFound);
    const create = (definition: string) =>
      sfn.send(new CreateStateMachineCommand({ name: 'm', definition, roleArn: ROLE }));
    const created = await create(machine({ A: { Type: 'Succeed' } }));
    // Same request again: the same machine, as AWS answers.
    expect((await create(machine({ A: { Type: 'Succeed' } }))).stateMachineArn).toBe(created.stateMachineArn);
    await expect(create(machine({ B: { Type: 'Succeed' } }))).rejects.toBeInstanceOf(
      StateMachineAlreadyExists,
    );
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: 'never-issued', output: '{}' })),
    ).rejects.toBeInstanceOf(InvalidToken);
    await expect(
      sfn.send(new UpdateStateMachineCommand({ stateMachineArn: created.stateMachineArn, definition: '{' })),
    ).rejects.toMatchObject({ name: 'InvalidDefinition' });
  });
});

describe('local Step Functions service: executions', () => {
  it('runs Lambda tasks through the given functions; history as AWS writes it; status-change events', async () => {
    const events: StatusChangeEvent[] = [];
    let polls = 0;
    const { sfn, service: svc } = await service({
      functions: {
        [fnArn('task-handler')]: async (event) => {
          const call = event as { op: string };
          if (call.op === 'poll' && ++polls < 3) {
            const e = new Error('job still running');
            e.name = 'StillRunning';
            throw e;
          }
          return { job: { job_name: 'j1' }, op: call.op };
        },
      },
      onExecutionStatusChange: (e) => void events.push(e),
    });
    const created = await sfn.send(
      new CreateStateMachineCommand({
        name: 'lambda-tasks',
        roleArn: ROLE,
        publish: true,
        definition: machine({
          submit: {
            Type: 'Task',
            Resource: fnArn('task-handler'),
            Parameters: invocation('submit'),
            ResultPath: '$.submitted',
            Next: 'poll',
          },
          poll: {
            Type: 'Task',
            Resource: fnArn('task-handler'),
            Parameters: invocation('poll'),
            Retry: [{ ErrorEquals: ['StillRunning'], IntervalSeconds: 30, MaxAttempts: 5 }],
            ResultSelector: { 'op.$': '$.op' },
            ResultPath: '$.polled',
            Next: 'done',
          },
          done: { Type: 'Pass', End: true },
        }),
      }),
    );
    const alias = await sfn.send(
      new CreateStateMachineAliasCommand({
        name: 'live',
        routingConfiguration: [{ stateMachineVersionArn: created.stateMachineVersionArn!, weight: 100 }],
      }),
    );
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: alias.stateMachineAliasArn,
        name: 'run-1',
        input: '{"x":1}',
      }),
    );
    expect(started.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:lambda-tasks:run-1');
    expect(started.startDate).toBeInstanceOf(Date);
    await svc.whenEnded(started.executionArn!);

    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(described).toMatchObject({
      status: 'SUCCEEDED',
      stateMachineArn: created.stateMachineArn,
      stateMachineVersionArn: created.stateMachineVersionArn,
      stateMachineAliasArn: alias.stateMachineAliasArn,
      name: 'run-1',
      input: '{"x":1}',
    });
    expect(JSON.parse(described.output!)).toEqual({
      x: 1,
      submitted: { job: { job_name: 'j1' }, op: 'submit' },
      polled: { op: 'poll' },
    });
    expect(described.stopDate!.getTime()).toBeGreaterThanOrEqual(described.startDate!.getTime());

    const history = await readHistory(sfn, started.executionArn!);
    expect(history.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(history.map((e) => e.id)).toEqual(history.map((_, i) => i + 1));
    expect(history[0]!.previousEventId).toBe(0);
    expect(history[0]!.executionStartedEventDetails).toMatchObject({
      input: '{"x":1}',
      roleArn: ROLE,
      stateMachineAliasArn: alias.stateMachineAliasArn,
      stateMachineVersionArn: created.stateMachineVersionArn,
    });
    expect(history[2]!.lambdaFunctionScheduledEventDetails!.resource).toBe(fnArn('task-handler'));
    expect(history[9]!.lambdaFunctionFailedEventDetails).toEqual({
      error: 'StillRunning',
      cause: JSON.stringify({ errorType: 'StillRunning', errorMessage: 'job still running', trace: [] }),
    });
    // Each end points at its start, each start at its schedule.
    for (const e of history.filter((h) => /^LambdaFunction(Succeeded|Failed)$/.test(h.type!))) {
      const started = history[e.previousEventId! - 1]!;
      expect(started.type).toBe('LambdaFunctionStarted');
      expect(history[started.previousEventId! - 1]!.type).toBe('LambdaFunctionScheduled');
    }
    const calls = handlerCalls(history);
    expect(calls.map((c) => [c.invocation.op, c.outcome, c.error])).toEqual([
      ['submit', 'succeeded', null],
      ['poll', 'failed', 'StillRunning'],
      ['poll', 'failed', 'StillRunning'],
      ['poll', 'succeeded', null],
    ]);
    expect(calls[0]!.result).toEqual({ job: { job_name: 'j1' }, op: 'submit' });

    expect(events.map((e) => e.detail.status)).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(events[1]).toMatchObject({
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      resources: [started.executionArn],
      detail: {
        executionArn: started.executionArn,
        stateMachineArn: created.stateMachineArn,
        name: 'run-1',
        input: '{"x":1}',
        output: described.output,
        startDate: described.startDate!.getTime(),
        stopDate: described.stopDate!.getTime(),
      },
    });
  });

  it('StartExecution is idempotent by name and input while running, else ExecutionAlreadyExists', async () => {
    const release = deferred();
    const { sfn, service: svc } = await service({ functions: { slow: async () => release.promise } });
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'slow',
        roleArn: ROLE,
        definition: machine({ wait: { Type: 'Task', Resource: fnArn('slow'), End: true } }),
      }),
    );
    const start = (input: string) =>
      sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'once', input }));
    const first = await start('{"a":1}');
    const second = await start('{"a":1}');
    expect(second.executionArn).toBe(first.executionArn);
    expect(second.startDate).toEqual(first.startDate);
    await expect(start('{"a":2}')).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    release.resolve({ ok: true });
    await svc.whenEnded(first.executionArn!);
    await expect(start('{"a":1}')).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(listed.executions!.map((e) => [e.name, e.status])).toEqual([['once', 'SUCCEEDED']]);
  });

  it('callback tasks park on their token until SendTaskSuccess; StopExecution aborts a running one', async () => {
    const events: StatusChangeEvent[] = [];
    const tokens: string[] = [];
    const { sfn, service: svc } = await service({
      functions: { gate: async (p) => void tokens.push((p as { token: string }).token) },
      onExecutionStatusChange: (e) => void events.push(e),
    });
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'callbacks',
        roleArn: ROLE,
        definition: machine({
          wait: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
            Parameters: { FunctionName: fnArn('gate'), Payload: { 'token.$': '$$.Task.Token', op: 'wait' } },
            ResultPath: '$.verdict',
            End: true,
          },
        }),
      }),
    );
    const a = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'a' }));
    await until(() => tokens.length === 1, 'the gate was called');
    await sfn.send(new SendTaskSuccessCommand({ taskToken: tokens[0], output: '{"verdict":"run"}' }));
    await svc.whenEnded(a.executionArn!);
    const done = await sfn.send(new DescribeExecutionCommand({ executionArn: a.executionArn }));
    expect(JSON.parse(done.output!)).toEqual({ verdict: { verdict: 'run' } });
    const history = await readHistory(sfn, a.executionArn!);
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
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      region: 'us-east-1',
    });
    expect(JSON.parse(history[2]!.taskScheduledEventDetails!.parameters!)).toEqual({
      FunctionName: fnArn('gate'),
      Payload: { token: tokens[0], op: 'wait' },
    });
    expect(JSON.parse(history[5]!.taskSucceededEventDetails!.output!)).toEqual({ verdict: 'run' });

    const b = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'b' }));
    await until(() => tokens.length === 2, 'the gate was called again');
    const stopped = await sfn.send(
      new StopExecutionCommand({ executionArn: b.executionArn, error: 'Cancelled', cause: 'by the test' }),
    );
    expect(stopped.stopDate).toBeInstanceOf(Date);
    const aborted = await sfn.send(new DescribeExecutionCommand({ executionArn: b.executionArn }));
    expect(aborted).toMatchObject({ status: 'ABORTED', error: 'Cancelled', cause: 'by the test' });
    const last = (await readHistory(sfn, b.executionArn!)).at(-1)!;
    expect(last).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Cancelled', cause: 'by the test' },
    });
    // The stopped task's token is over.
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: tokens[1], output: '{}' })),
    ).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
    await svc.whenEnded(b.executionArn!);
    expect(
      events.filter((e) => e.detail.executionArn === b.executionArn).map((e) => e.detail.status),
    ).toEqual(['RUNNING', 'ABORTED']);
  });

  it('pages history and executions; includeExecutionData=false leaves inputs and outputs out', async () => {
    const { sfn, service: svc } = await service();
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'passes',
        roleArn: ROLE,
        definition: machine({
          p1: { Type: 'Pass', Next: 'p2' },
          p2: { Type: 'Pass', Next: 'p3' },
          p3: { Type: 'Pass', End: true },
        }),
      }),
    );
    const arns: string[] = [];
    for (const name of ['e1', 'e2', 'e3']) {
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({ stateMachineArn, name, input: '{"v":1}' }),
      );
      await svc.whenEnded(executionArn!);
      arns.push(executionArn!);
    }
    const page1 = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 2 }));
    expect(page1.executions!.map((e) => e.name)).toEqual(['e3', 'e2']);
    const page2 = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn, maxResults: 2, nextToken: page1.nextToken }),
    );
    expect(page2.executions!.map((e) => e.name)).toEqual(['e1']);
    expect(page2.nextToken).toBeUndefined();

    const full = await readHistory(sfn, arns[0]!);
    expect(full).toHaveLength(8);
    const first = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arns[0], maxResults: 3 }));
    const rest = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: arns[0], maxResults: 10, nextToken: first.nextToken }),
    );
    expect([...first.events!, ...rest.events!].map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const reversed = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: arns[0], reverseOrder: true, maxResults: 5 }),
    );
    expect(reversed.events!.map((e) => e.id)).toEqual([8, 7, 6, 5, 4]);
    const reversedRest = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn: arns[0],
        reverseOrder: true,
        nextToken: reversed.nextToken,
      }),
    );
    expect(reversedRest.events!.map((e) => e.id)).toEqual([3, 2, 1]);
    const bare = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: arns[0], includeExecutionData: false }),
    );
    expect(bare.events![1]!.stateEnteredEventDetails).toEqual({
      name: 'p1',
      inputDetails: { truncated: false },
    });
    expect(full[1]!.stateEnteredEventDetails!.input).toBe('{"v":1}');
    expect(full[0]!.timestamp).toBeInstanceOf(Date);
  });

  it('waits for real by default; time stamps come from the injected clock', async () => {
    let tick = Date.parse('2030-01-01T00:00:00Z');
    // No `delays` option: the service's default.
    const started = await startService({ clock: () => new Date((tick += 1000)) });
    running.push(started);
    const { sfn, service: svc } = started;
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'waits',
        roleArn: ROLE,
        definition: machine({ w: { Type: 'Wait', Seconds: 1, End: true } }),
      }),
    );
    const began = Date.now();
    const { executionArn, startDate } = await sfn.send(new StartExecutionCommand({ stateMachineArn }));
    await svc.whenEnded(executionArn!);
    expect(Date.now() - began).toBeGreaterThanOrEqual(950);
    expect(startDate!.getUTCFullYear()).toBe(2030);
    const history = await readHistory(sfn, executionArn!);
    expect(history.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'ExecutionSucceeded',
    ]);
    const stamps = history.map((e) => e.timestamp!.getTime());
    expect(stamps.every((t, i) => i === 0 || t - stamps[i - 1]! === 1000)).toBe(true);
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described.stopDate!.getTime()).toBeGreaterThan(stamps.at(-1)!);
  });

  it('a task past its TimeoutSeconds times out; a branch stopped by its failed sibling writes nothing', async () => {
    const { sfn, service: svc } = await service({
      functions: {
        hang: () => new Promise(() => {}),
        boom: async () => {
          throw Object.assign(new Error('no'), { name: 'Boom' });
        },
      },
    });
    const create = (name: string, states: Record<string, unknown>) =>
      sfn.send(new CreateStateMachineCommand({ name, roleArn: ROLE, definition: machine(states) }));
    const timed = await create('timed', {
      t: { Type: 'Task', Resource: fnArn('hang'), TimeoutSeconds: 1, End: true },
    });
    const a = await sfn.send(new StartExecutionCommand({ stateMachineArn: timed.stateMachineArn }));
    await svc.whenEnded(a.executionArn!);
    const timedOut = await readHistory(sfn, a.executionArn!);
    expect(timedOut.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionTimedOut',
      'ExecutionFailed',
    ]);
    expect(timedOut[4]!.lambdaFunctionTimedOutEventDetails).toEqual({ error: 'States.Timeout' });
    expect(timedOut[5]!.executionFailedEventDetails).toMatchObject({ error: 'States.Timeout' });

    const forked = await create('forked', {
      fork: {
        Type: 'Parallel',
        End: true,
        Branches: [
          {
            StartAt: 'h',
            States: { h: { Type: 'Task', Resource: fnArn('hang'), TimeoutSeconds: 60, End: true } },
          },
          { StartAt: 'b', States: { b: { Type: 'Task', Resource: fnArn('boom'), End: true } } },
        ],
      },
    });
    const b = await sfn.send(new StartExecutionCommand({ stateMachineArn: forked.stateMachineArn }));
    await svc.whenEnded(b.executionArn!);
    const types = (await readHistory(sfn, b.executionArn!)).map((e) => e.type);
    expect(types).toContain('LambdaFunctionFailed');
    expect(types).toContain('ParallelStateFailed');
    expect(types).not.toContain('LambdaFunctionTimedOut');
    expect(types.at(-1)).toBe('ExecutionFailed');
  });

  it('an execution the engine cannot run fails with States.Runtime, as AWS fails it', async () => {
    const { sfn, service: svc } = await service();
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'malformed',
        roleArn: ROLE,
        definition: machine({ p: { Type: 'Parallel', End: true } }),
      }),
    );
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn }));
    await svc.whenEnded(executionArn!);
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect((await readHistory(sfn, executionArn!)).at(-1)!.type).toBe('ExecutionFailed');
  });
});
