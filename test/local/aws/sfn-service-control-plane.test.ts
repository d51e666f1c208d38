import { readFileSync } from 'node:fs';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SfnTaskTokens } from '../../../src/aws/sfn-task-tokens.ts';
import type { PlanIR } from '../../../src/compiler/ir.ts';
import { cancelRun, type CancelDeps } from '../../../src/handlers/api/cancel-run.ts';
import { handlerCalls, readHistory } from '../../../src/handlers/api/execution-history.ts';
import { onExecutionFinished } from '../../../src/handlers/api/run-finished.ts';
import { triggerRun } from '../../../src/handlers/api/run-queue.ts';
import { describeRun } from '../../../src/handlers/api/run-status.ts';
import { handleGate } from '../../../src/handlers/gates/handle-gate.ts';
import { DagBucket } from '../../../src/handlers/registry/dag-bucket.ts';
import { registerDagObject, type RegistryDeps } from '../../../src/handlers/registry/register-dag.ts';
import { handleTask } from '../../../src/handlers/task.ts';
import { MemoryGateStore } from '../../../src/local/aws/memory-gate-store.ts';
import { type HandlerEnvironment, startHandlerEnvironment } from '../../../src/local/handler-environment.ts';
import { MemoryRunStore } from '../../deploy/memory-run-store.ts';
import { type LocalS3, startS3 } from '../../deploy/s3rver.ts';
import { fnArn, ROLE, startService, until } from './sfn-service-fixtures.ts';

const BUCKET = 'airless-dags';
const TASK_HANDLER = fnArn('airless-task');
const GATE_HANDLER = fnArn('airless-gate');
const CONF = JSON.parse(readFileSync('dags/flink_wordcount.conf.json', 'utf8')) as Record<string, unknown>;

let env: HandlerEnvironment;
let s3: LocalS3;
let service: Awaited<ReturnType<typeof startService>>;
let deps: CancelDeps;
let registry: RegistryDeps;
let store: MemoryRunStore;

beforeAll(async () => {
  // Jobs run 30 emulated seconds (30 ms); the job of run `stuck` runs until cancelled.
  env = await startHandlerEnvironment(() => undefined, {
    timeScale: 1000,
    jobs: [{ jobName: 'wordcount-stuck', runSeconds: null }],
  });
  s3 = await startS3([BUCKET]);
  const bucket = new DagBucket(s3.client, BUCKET);
  store = new MemoryRunStore();
  const gates = new MemoryGateStore();
  const wake: { tokens?: SfnTaskTokens } = {};
  service = await startService({
    delays: 'instant',
    functions: {
      [TASK_HANDLER]: (event) => handleTask(event, env.deps),
      [GATE_HANDLER]: (event) => handleGate(event, { store: gates, tokens: wake.tokens! }),
    },
    // As the deployed stack routes EventBridge's status change to the run-finished Lambda.
    onExecutionStatusChange: async (event) => void (await onExecutionFinished(deps, event)),
  });
  wake.tokens = new SfnTaskTokens(service.sfn);
  deps = {
    store,
    bucket,
    sfn: service.sfn,
    now: () => new Date(),
    cancelJob: (invocation) => handleTask(invocation, env.deps),
  };
  registry = {
    bucket,
    sfn: service.sfn,
    // No schedule in this DAG: the scheduler is never called (nothing listens there).
    scheduler: new SchedulerClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    now: () => new Date(),
    config: {
      stateMachinePrefix: 'airless-',
      stateMachineArnPrefix: 'arn:aws:states:us-east-1:000000000000:stateMachine:',
      workflowRoleArn: ROLE,
      taskHandlerArn: TASK_HANDLER,
      gateHandlerArn: GATE_HANDLER,
      scheduler: { group: 'airless', functionArn: fnArn('scheduled-run'), roleArn: ROLE },
    },
  };
});
afterAll(async () => {
  await service?.close();
  await s3?.close();
  await env?.close();
});

describe('the AWS control plane, unchanged, against the local Step Functions service', () => {
  it('registers, triggers, finishes through the status-change event, describes; cancel stops the job', async () => {
    await deps.bucket.putText('dags/flink_wordcount.yaml', readFileSync('dags/flink_wordcount.yaml', 'utf8'));
    const registered = await registerDagObject(registry, 'dags/flink_wordcount.yaml');
    expect(registered).toMatchObject({
      action: 'published',
      version_arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:airless-flink_wordcount:1',
    });
    const plan = JSON.parse((await deps.bucket.getText('compiled/flink_wordcount.plan.json'))!) as PlanIR;

    const ok = await triggerRun(deps, {
      dag_id: 'flink_wordcount',
      run_type: 'manual',
      dag_run_id: 'ok1',
      conf: CONF,
    });
    expect(ok.kind).toBe('created');
    const okRun = (await store.getRun('flink_wordcount', 'ok1'))!;
    expect(okRun.state).toBe('running');
    await service.service.whenEnded(okRun.execution_arn!);
    const finished = (await store.getRun('flink_wordcount', 'ok1'))!;
    expect(finished.state).toBe('success');
    const view = await describeRun(deps, finished, plan);
    expect(view.task_instances).toEqual([
      expect.objectContaining({ task_id: 'submit_wordcount', state: 'success', try_number: 1 }),
    ]);

    // max_active_runs is 1: this run starts because the status change gave the slot back.
    await triggerRun(deps, {
      dag_id: 'flink_wordcount',
      run_type: 'manual',
      dag_run_id: 'stuck',
      conf: CONF,
    });
    const stuck = (await store.getRun('flink_wordcount', 'stuck'))!;
    expect(stuck.state).toBe('running');
    let submitted = false;
    while (!submitted) {
      const calls = handlerCalls(await readHistory(deps.sfn, stuck.execution_arn!));
      submitted = calls.some((c) => c.invocation.op === 'submit' && c.outcome === 'succeeded');
      if (!submitted) await new Promise((r) => setTimeout(r, 20));
    }
    const running = await describeRun(deps, stuck, plan);
    expect(running.state).toBe('running');
    expect(running.task_instances![0]!.state).toMatch(/^(running|up_for_retry)$/);

    const cancelled = await cancelRun(deps, 'flink_wordcount', 'stuck');
    expect(cancelled).toMatchObject({
      kind: 'cancelled',
      jobs: [{ task_id: 'submit_wordcount', job_name: 'wordcount-stuck', error: null }],
    });
    await service.service.whenEnded(stuck.execution_arn!);
    await until(() => store.runs.get('flink_wordcount/stuck')?.state === 'failed', 'the run ended failed');
    const after = await describeRun(deps, (await store.getRun('flink_wordcount', 'stuck'))!, plan);
    expect(after.state).toBe('failed');
  });
});
