import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineAliasCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { readHistory } from '../../../src/aws/execution-history.ts';
import { deferred, fnArn, ROLE, startService, until } from './sfn-service-fixtures.ts';

let running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.map((r) => r.close()));
  running = [];
});

const DEFINITION = JSON.stringify({
  StartAt: 'first',
  States: {
    first: { Type: 'Task', Resource: fnArn('step'), ResultPath: '$.first', Next: 'second' },
    second: { Type: 'Task', Resource: fnArn('hang'), ResultPath: '$.second', End: true },
  },
});

describe('local Step Functions service: persistence', () => {
  it('a new instance on the directory reads machines, aliases, finished and interrupted executions', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'sfn-service-'));
    const hang = deferred();
    let hung = false;
    const functions = {
      step: async () => ({ stepped: true }),
      hang: async () => {
        hung = true;
        return hang.promise;
      },
    };
    const first = await startService({ directory, delays: 'instant', functions });
    const { sfn } = first;
    const created = await sfn.send(
      new CreateStateMachineCommand({
        name: 'persisted',
        roleArn: ROLE,
        definition: DEFINITION,
        publish: true,
      }),
    );
    const alias = await sfn.send(
      new CreateStateMachineAliasCommand({
        name: 'live',
        routingConfiguration: [{ stateMachineVersionArn: created.stateMachineVersionArn!, weight: 100 }],
      }),
    );
    const stopped = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: alias.stateMachineAliasArn, name: 'stopped' }),
    );
    await until(() => hung, 'the first execution reached the hanging task');
    await sfn.send(new StopExecutionCommand({ executionArn: stopped.executionArn, cause: 'test' }));
    hung = false;
    const orphan = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: alias.stateMachineAliasArn,
        name: 'orphan',
        input: '{"n":7}',
      }),
    );
    await until(() => hung, 'the second execution reached the hanging task');
    const before = await readHistory(sfn, orphan.executionArn!);
    // Dropped mid-run, no close: what it wrote is all a new instance gets.
    sfn.destroy();

    const second = await startService({ directory, delays: 'instant', functions });
    running.push(second);
    const again = second.sfn;
    const described = await again.send(
      new DescribeStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn }),
    );
    expect(described.routingConfiguration).toEqual([
      { stateMachineVersionArn: created.stateMachineVersionArn, weight: 100 },
    ]);
    const listed = await again.send(new ListExecutionsCommand({ stateMachineArn: created.stateMachineArn }));
    expect(listed.executions!.map((e) => [e.name, e.status])).toEqual([
      ['orphan', 'RUNNING'],
      ['stopped', 'ABORTED'],
    ]);
    expect(second.service.interruptedExecutions()).toEqual([
      {
        executionArn: orphan.executionArn,
        stateMachineArn: created.stateMachineArn,
        stateMachineVersionArn: created.stateMachineVersionArn,
        stateMachineAliasArn: alias.stateMachineAliasArn,
        name: 'orphan',
        input: '{"n":7}',
        startDate: orphan.startDate,
      },
    ]);
    const history = await readHistory(again, orphan.executionArn!);
    expect(history).toEqual(before);
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
    ]);
    const finished = await readHistory(again, stopped.executionArn!);
    expect(finished.at(-1)).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { cause: 'test' },
    });

    // Stopping an interrupted execution writes its end; it is no longer interrupted.
    await again.send(new StopExecutionCommand({ executionArn: orphan.executionArn }));
    expect(second.service.interruptedExecutions()).toEqual([]);
    expect(
      (await again.send(new DescribeExecutionCommand({ executionArn: orphan.executionArn }))).status,
    ).toBe('ABORTED');
    const third = await startService({ directory, delays: 'instant', functions });
    running.push(third);
    expect(third.service.interruptedExecutions()).toEqual([]);
    const orphanEnd = (await readHistory(third.sfn, orphan.executionArn!)).at(-1)!;
    expect(orphanEnd).toMatchObject({ type: 'ExecutionAborted', id: 10, previousEventId: 9 });
    running.push(first); // closed only now, for the test's own cleanup
  });

  it('close() leaves running executions interrupted, as a crash would', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'sfn-service-'));
    let hung = false;
    const functions = {
      step: async () => ({}),
      hang: async () => {
        hung = true;
        return new Promise(() => {});
      },
    };
    const first = await startService({ directory, delays: 'instant', functions });
    const { stateMachineArn } = await first.sfn.send(
      new CreateStateMachineCommand({ name: 'closing', roleArn: ROLE, definition: DEFINITION }),
    );
    const { executionArn } = await first.sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'x' }));
    await until(() => hung, 'the execution reached the hanging task');
    await first.close();
    const second = await startService({ directory, delays: 'instant', functions });
    running.push(second);
    expect(second.service.interruptedExecutions().map((e) => e.executionArn)).toEqual([executionArn]);
    const history = await readHistory(second.sfn, executionArn!);
    expect(history.at(-1)!.type).toBe('LambdaFunctionStarted');
  });
});
