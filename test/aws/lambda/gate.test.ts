import { SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOYMENT_ENV_KEYS } from '../../../src/aws/lambda/deployment.ts';
import { handler } from '../../../src/aws/lambda/gate.ts';
import { startDynamo, type LocalDynamo } from '../../shared/dynalite.ts';

/*
 * The gate Lambda as deployed: its environment, the real DynamoDB client on dynalite (loopback),
 * and Step Functions' SendTaskSuccess through aws-sdk-client-mock, because no local engine serves
 * the Step Functions API for callbacks (aws-local-stepfunctions runs ASL in-process).
 */
const sfn = mockClient(SFNClient);
let dynamo: LocalDynamo;
const context = { functionName: 'gate', awsRequestId: 'r1' } as unknown as Context;

beforeAll(async () => {
  dynamo = await startDynamo('runs-table');
  const endpoint = (await dynamo.client.config.endpoint!()).port;
  for (const key of DEPLOYMENT_ENV_KEYS) process.env[key] = `arn:aws:test:${key.toLowerCase()}`;
  Object.assign(process.env, {
    RUNS_TABLE: 'runs-table',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'dynalite',
    AWS_SECRET_ACCESS_KEY: 'dynalite',
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${endpoint}`,
  });
});
afterAll(() => dynamo.close());

const wait = {
  op: 'wait',
  run_key: 'arn:aws:states:eu-west-1:1:execution:airless-ci-dag-x:run-1',
  task_id: 'load',
  token: 'token-load',
  trigger_rule: 'all_success',
  upstream: ['extract'],
  reads: ['extract'],
  slot: null,
};
const end = {
  op: 'end',
  run_key: wait.run_key,
  task_id: 'extract',
  state: 'success',
  output: { rows: 3 },
  downstream: ['load'],
  release_slot: false,
};

describe('Lambda shell (middy) for the gate handler', () => {
  it('parks a wait, wakes it on the end with SendTaskSuccess, and takes a settled token as done', async () => {
    sfn.reset();
    sfn
      .on(SendTaskSuccessCommand)
      .resolvesOnce({})
      .rejects(new TaskTimedOut({ message: 'closed', $metadata: {} }));
    expect(await handler(wait, context)).toEqual({ sent: [] });
    expect(await handler(end, context)).toEqual({ sent: [{ task_id: 'load', verdict: 'run' }] });
    expect(sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input)).toEqual([
      {
        taskToken: 'token-load',
        output: JSON.stringify({ verdict: 'run', outputs: { extract: { rows: 3 } } }),
      },
    ]);
    // a retried wait re-sends; Step Functions answers TaskTimedOut: done, not an error
    expect(await handler(wait, context)).toEqual({ sent: [{ task_id: 'load', verdict: 'run' }] });
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(2);
  });

  it('refuses a malformed event with BadInput', async () => {
    await expect(handler({ op: 'end', run_key: 'x' }, context)).rejects.toMatchObject({ name: 'BadInput' });
  });
});
