import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsApiBackend } from '../../src/aws/api-backend.ts';
import { DynamoDbBackfillStore } from '../../src/aws/dynamodb-backfill-store.ts';
import { DynamoDbGateStore } from '../../src/aws/dynamodb-gate-store.ts';
import { SfnTaskTokens } from '../../src/aws/sfn-task-tokens.ts';
import { DynamoDbRunStore } from '../../src/aws/dynamodb-run-store.ts';
import { onExecutionFinished } from '../../src/aws/run-finished.ts';
import { advanceBackfills } from '../../src/runs/backfill.ts';
import type { RunDeps } from '../../src/aws/run-queue.ts';
import { handleGate } from '../../src/handlers/gates/handle-gate.ts';
import { handleApiEvent } from '../../src/aws/lambda/api.ts';
import { DagBucket } from '../../src/aws/registry/dag-bucket.ts';
import {
  type Registration,
  registerDagObject,
  type RegistryDeps,
} from '../../src/aws/registry/register-dag.ts';
import { handleTask } from '../../src/handlers/task.ts';
import { LocalSfnService } from '../../src/local/aws/sfn-service/service.ts';
import type { EmulatorOptions } from '../../src/local/emulators/index.ts';
import { startHandlerEnvironment } from '../../src/local/handler-environment.ts';
import { apiRouter } from '../../src/runs/api/router.ts';
import { type LocalS3, startS3 } from '../deploy/s3rver.ts';
import type { ApiV2Host } from '../runs/api/api-v2-suite.ts';
import { type LocalDynamo, startDynamo } from '../shared/dynalite.ts';

/**
 * airless on AWS, on this machine: the API Lambda's handler (the router over AwsApiBackend), the
 * register-dag, run-finished, task and gate handlers, against dynalite (runs table), s3rver (DAG
 * bucket), the local Step Functions service (real SFNClient over loopback; executions call the task
 * and gate handlers in-process, its status-change events go to run-finished) and the built-in
 * emulators (Flink, Genie, ARM). EventBridge Scheduler has no local engine: its client is
 * aws-sdk-client-mock (schedule calls are recorded, `scheduler`).
 */
const mockScheduler = () => mockClient(SchedulerClient);
type SchedulerMock = ReturnType<typeof mockScheduler>;

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';
const FN = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const TASK_HANDLER = FN('airless-test-task');
const GATE_HANDLER = FN('airless-test-gate');
const BUCKET = 'airless-dags';
const TABLE = 'airless-runs';

export interface AwsHost extends ApiV2Host {
  backend: AwsApiBackend;
  sfn: SFNClient;
  service: LocalSfnService;
  /** Schedule calls made (EventBridge Scheduler, mocked). */
  scheduler: SchedulerMock;
  /** The last registration's answer. */
  registrations: Registration[];
}

export interface AwsHostOptions {
  emulators?: EmulatorOptions;
  /** Retry and Wait delays in the Step Functions service: real by default (a poke_interval waits). */
  delays?: 'real' | 'instant';
}

/** Starts the AWS host (dynalite, s3rver, local Step Functions, emulators) with an empty registry. */
export async function startAwsHost(options: AwsHostOptions = {}): Promise<AwsHost> {
  const env = await startHandlerEnvironment(() => undefined, {
    timeScale: 1000,
    jobs: [{ jobName: 'stream-*', runSeconds: null }],
    ...options.emulators,
  });
  const emu = env.emu!;
  // The suite's DAGs name uploaded jars by id (`jar_id: load.jar`): present on the JobManager.
  for (const jm of emu.state.flink.values())
    for (const id of ['load.jar', 'report.jar']) jm.jars.set(id, { id, name: id, uploaded: 0 });
  let dynamo: LocalDynamo | undefined;
  let s3: LocalS3 | undefined;
  let service: LocalSfnService | undefined;
  const scheduler = mockScheduler();
  scheduler.resolves({});
  try {
    dynamo = await startDynamo(TABLE);
    s3 = await startS3([BUCKET]);
    const bucket = new DagBucket(s3.client, BUCKET);
    const store = new DynamoDbRunStore(dynamo.client, TABLE);
    const gates = new DynamoDbGateStore(dynamo.client, TABLE);
    const wake: { tokens?: SfnTaskTokens; runs?: RunDeps; backend?: AwsApiBackend } = {};
    service = new LocalSfnService({
      scope: { region: REGION, account: ACCOUNT },
      delays: options.delays ?? 'real',
      functions: {
        [TASK_HANDLER]: (event) => handleTask(event, env.deps),
        [GATE_HANDLER]: (event) => handleGate(event, { store: gates, tokens: wake.tokens! }),
      },
      // EventBridge routes the stack's executions' status changes to the run-finished Lambda.
      onExecutionStatusChange: async (event) => {
        // As src/aws/lambda/run-finished.ts: the run's end also moves the DAG's backfills on.
        if (event.detail.status !== 'RUNNING')
          await onExecutionFinished(wake.runs!, event, (dagId) => advanceBackfills(wake.backend!, dagId));
      },
    });
    const endpoint = await service.listen();
    const sfn = new SFNClient({
      endpoint,
      region: REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    wake.tokens = new SfnTaskTokens(sfn);
    const schedulerTarget = {
      group: 'airless-test',
      functionArn: FN('airless-test-scheduledRun'),
      roleArn: `arn:aws:iam::${ACCOUNT}:role/scheduler`,
    };
    const runs: RunDeps = { store, bucket, sfn, now: () => new Date() };
    wake.runs = runs;
    const registry: RegistryDeps = {
      bucket,
      sfn,
      scheduler: new SchedulerClient({ region: REGION }),
      now: () => new Date(),
      config: {
        stateMachinePrefix: 'airless-test-dag-',
        stateMachineArnPrefix: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:`,
        workflowRoleArn: `arn:aws:iam::${ACCOUNT}:role/workflow`,
        taskHandlerArn: TASK_HANDLER,
        gateHandlerArn: GATE_HANDLER,
        scheduler: schedulerTarget,
      },
    };
    const backend = (wake.backend = new AwsApiBackend({
      ...runs,
      backfills: new DynamoDbBackfillStore(dynamo.client, TABLE),
      scheduler: new SchedulerClient({ region: REGION }),
      schedulerTarget,
      cancelJob: (invocation) => handleTask(invocation, env.deps),
    }));
    const router = apiRouter(backend);
    const registrations: Registration[] = [];
    const parts = { dynamo, s3, service };
    return {
      backend,
      sfn,
      service,
      scheduler,
      registrations,
      flinkUrl: emu.flinkUrl,
      async request(method, path, body) {
        const [rawPath, rawQueryString = ''] = path.split('?', 2) as [string, string?];
        const event = {
          version: '2.0',
          routeKey: 'ANY /api/v2/{proxy+}',
          rawPath,
          rawQueryString,
          requestContext: { http: { method, path: rawPath } },
          body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
          isBase64Encoded: false,
        } as unknown as APIGatewayProxyEventV2;
        const reply = await handleApiEvent(event, router);
        return { status: reply.statusCode, body: JSON.parse(reply.body) as unknown };
      },
      async upload(fileName, text) {
        const key = `dags/${fileName}`;
        await s3!.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: text }));
        registrations.push(await registerDagObject(registry, key));
      },
      async fault(spec) {
        const answer = await fetch(`${emu.url}/_admin/faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(spec),
        });
        if (answer.status !== 201) throw new Error(`fault refused: ${await answer.text()}`);
      },
      async submittedJobs() {
        return Object.entries(emu.stats.submissions).flatMap(([name, n]) => Array<string>(n).fill(name));
      },
      async close() {
        sfn.destroy();
        await parts.service.close();
        await parts.s3.close();
        await parts.dynamo.close();
        scheduler.restore();
        await env.close();
      },
    };
  } catch (error) {
    await service?.close();
    await s3?.close();
    await dynamo?.close();
    scheduler.restore();
    await env.close();
    throw error;
  }
}
