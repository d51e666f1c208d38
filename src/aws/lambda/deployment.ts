import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import { AwsApiBackend } from '../api-backend.ts';
import { DynamoDbBackfillStore } from '../dynamodb-backfill-store.ts';
import { DynamoDbGateStore } from '../dynamodb-gate-store.ts';
import { SfnTaskTokens } from '../sfn-task-tokens.ts';
import { DynamoDbRunStore } from '../dynamodb-run-store.ts';
import type { GateDeps } from '../../handlers/gates/handle-gate.ts';
import type { RunDeps } from '../run-queue.ts';
import { DagBucket } from '../registry/dag-bucket.ts';
import type { RegistryDeps } from '../registry/register-dag.ts';
import * as z from '../../runs/zod-mini.ts';
import { consoleSink, logEvent } from '../../handlers/log.ts';

/** What serverless.yml passes the airless Lambdas (names and ARNs only, never a secret). */
const DeploymentEnvSchema = z.object({
  DAG_BUCKET: z.string().check(z.minLength(1)),
  RUNS_TABLE: z.string().check(z.minLength(1)),
  STATE_MACHINE_PREFIX: z.string().check(z.minLength(1)),
  STATE_MACHINE_ARN_PREFIX: z.string().check(z.startsWith('arn:')),
  WORKFLOW_ROLE_ARN: z.string().check(z.startsWith('arn:')),
  TASK_HANDLER_ARN: z.string().check(z.startsWith('arn:')),
  GATE_HANDLER_ARN: z.string().check(z.startsWith('arn:')),
  SCHEDULE_GROUP: z.string().check(z.minLength(1)),
  SCHEDULED_RUN_FUNCTION_ARN: z.string().check(z.startsWith('arn:')),
  SCHEDULER_ROLE_ARN: z.string().check(z.startsWith('arn:')),
});
export type DeploymentEnv = z.infer<typeof DeploymentEnvSchema>;
/** The variables serverless.yml must set (package-template.test.ts checks it does). */
export const DEPLOYMENT_ENV_KEYS = Object.keys(DeploymentEnvSchema.shape).sort();

let env: DeploymentEnv | undefined;
export function deploymentEnv(): DeploymentEnv {
  env ??= DeploymentEnvSchema.parse(process.env);
  return env;
}

/**
 * Created on first use, then one per container: reused across invocations, none a handler never
 * uses. `@__PURE__` lets esbuild drop the clients (and their SDK packages) a handler never reaches.
 */
function perContainer<T>(create: () => T): () => T {
  let client: T | undefined;
  return () => (client ??= create());
}
const s3 = /* @__PURE__ */ perContainer(() => new S3Client({}));
const sfn = /* @__PURE__ */ perContainer(() => new SFNClient({}));
const dynamodb = /* @__PURE__ */ perContainer(() => new DynamoDBClient({}));
const scheduler = /* @__PURE__ */ perContainer(() => new SchedulerClient({}));

export const log = (message: string, fields: Record<string, unknown>): void =>
  logEvent(consoleSink, { message, ...fields });

export function runDeps(): RunDeps {
  const e = deploymentEnv();
  return {
    store: new DynamoDbRunStore(dynamodb(), e.RUNS_TABLE),
    bucket: new DagBucket(s3(), e.DAG_BUCKET),
    sfn: sfn(),
    now: () => new Date(),
    log,
  };
}

const schedulerTarget = (e: DeploymentEnv) => ({
  group: e.SCHEDULE_GROUP,
  functionArn: e.SCHEDULED_RUN_FUNCTION_ARN,
  roleArn: e.SCHEDULER_ROLE_ARN,
});

export function registryDeps(): RegistryDeps {
  const e = deploymentEnv();
  return {
    bucket: new DagBucket(s3(), e.DAG_BUCKET),
    sfn: sfn(),
    scheduler: scheduler(),
    now: () => new Date(),
    config: {
      stateMachinePrefix: e.STATE_MACHINE_PREFIX,
      stateMachineArnPrefix: e.STATE_MACHINE_ARN_PREFIX,
      workflowRoleArn: e.WORKFLOW_ROLE_ARN,
      taskHandlerArn: e.TASK_HANDLER_ARN,
      gateHandlerArn: e.GATE_HANDLER_ARN,
      scheduler: schedulerTarget(e),
    },
  };
}

/** The API's backend; cancel calls the task handler's cancel op in-process (loaded on first use). */
export function apiBackend(): AwsApiBackend {
  const e = deploymentEnv();
  return new AwsApiBackend({
    ...runDeps(),
    backfills: new DynamoDbBackfillStore(dynamodb(), e.RUNS_TABLE),
    scheduler: scheduler(),
    schedulerTarget: schedulerTarget(e),
    cancelJob: async (invocation) => (await import('../../handlers/task.ts')).handleTask(invocation),
  });
}

export const gateDeps = /* @__PURE__ */ perContainer((): GateDeps => ({
  store: new DynamoDbGateStore(dynamodb(), deploymentEnv().RUNS_TABLE),
  tokens: new SfnTaskTokens(sfn()),
}));
