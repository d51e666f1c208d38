import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CancelDeps } from '../../src/handlers/api/cancel-run.ts';
import { handleApiRequest } from '../../src/handlers/api/routes.ts';
import { DagBucket } from '../../src/handlers/registry/dag-bucket.ts';
import { HOSTILE_DAG, itAnswersEveryHostileCase } from '../shared/hostile-run-requests.ts';
import { MemoryRunStore } from './memory-run-store.ts';
import { executionArnOf, seedDag } from './registry-fixture.ts';
import { type LocalS3, startS3 } from './s3rver.ts';

/*
 * The AWS HTTP API against hostile trigger requests: registry on s3rver (real S3 API), Step
 * Functions through aws-sdk-client-mock (no local engine for StartExecution), runs in
 * MemoryRunStore (the conditional semantics of DynamoDbRunStore). A throw from the handler is what
 * API Gateway answers 500 for, so it counts as a 500 here.
 */
const BUCKET = 'airless-dags';
let s3: LocalS3;
let deps: CancelDeps;
const sfn = mockClient(SFNClient);

async function post(body: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const event = {
    routeKey: 'POST /dags/{dag_id}/runs',
    pathParameters: { dag_id: 'hostile' },
    body,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
  try {
    const response = await handleApiRequest(deps, event);
    return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
  } catch (error) {
    return { status: 500, body: { thrown: String(error) } };
  }
}

beforeAll(async () => {
  s3 = await startS3([BUCKET]);
  const bucket = new DagBucket(s3.client, BUCKET);
  await seedDag(bucket, HOSTILE_DAG);
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
    executionArn: executionArnOf('hostile', input.name),
    startDate: new Date(),
  }));
  deps = {
    store: new MemoryRunStore(),
    bucket,
    sfn: new SFNClient({ region: 'eu-west-1' }),
    now: () => new Date('2026-11-21T12:00:00Z'),
    cancelJob: async () => ({}),
  };
});
afterAll(async () => {
  sfn.restore();
  await s3.close();
});

describe('AWS HTTP API: hostile trigger requests', () => {
  itAnswersEveryHostileCase((body) => post(body));

  it('20 identical requests at once: all 200, one run', async () => {
    const body = JSON.stringify({ dag_run_id: 'same', conf: { n: 2 } });
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(body)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((a) => a.body.dag_run_id))).toEqual(new Set(['same']));
    expect(
      sfn.commandCalls(StartExecutionCommand).filter((c) => c.args[0].input.name === 'same'),
    ).toHaveLength(1);
  });
});
