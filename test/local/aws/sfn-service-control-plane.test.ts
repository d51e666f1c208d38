import { readFileSync } from 'node:fs';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SfnTaskTokens } from '../../../src/aws/sfn-task-tokens.ts';
import type { PlanIR } from '../../../src/compiler/ir.ts';
import { cancelRun, type CancelDeps } from '../../../src/aws/cancel-run.ts';
import { handlerCalls, readHistory } from '../../../src/aws/execution-history.ts';
import { onExecutionFinished } from '../../../src/aws/run-finished.ts';
import { triggerRun } from '../../../src/aws/run-queue.ts';
import { taskInstances } from '../../../src/aws/task-instances.ts';
import { DagBucket } from '../../../src/aws/registry/dag-bucket.ts';
import { registerDagObject, type RegistryDeps } from '../../../src/aws/registry/register-dag.ts';
import { handleTask } from '../../../src/handlers/task.ts';
import { MemoryGateStore } from '../../../src/local/aws/memory-gate-store.ts';
import {
  airlessFunctions,
  LOCAL_GATE_HANDLER_ARN,
  LOCAL_TASK_HANDLER_ARN,
} from '../../../src/local/aws/sfn-service/airless-functions.ts';
import { type HandlerEnvironment, startHandlerEnvironment } from '../../../src/local/handler-environment.ts';
import { MemoryRunStore } from '../../deploy/memory-run-store.ts';
import { type LocalS3, startS3 } from '../../deploy/s3rver.ts';
import { fnArn, ROLE, startService, until } from './sfn-service-fixtures.ts';

const BUCKET = 'airless-dags';
const CONF = JSON.parse(readFileSync('dags/flink_wordcount.conf.json', 'utf8')) as Record<string, unknown>;

let env: HandlerEnvironment;
let s3: LocalS3;
let service: Awaited<ReturnType<typeof startService>>;
let deps: CancelDeps;
let registry: RegistryDeps;
let store: MemoryRunStore;

beforeAll(async () => {
  // Jobs run 30 emulated seconds (30 µs: polls retry at once, and must not outrun a job); the job of
  // run `stuck` runs until cancelled.
  env = await startHandlerEnvironment(() => undefined, {
    timeScale: 1_000_000,
    jobs: [{ jobName: 'wordcount-stuck', runSeconds: null }],
  });
  s3 = await startS3([BUCKET]);
  const bucket = new DagBucket(s3.client, BUCKET);
  store = new MemoryRunStore();
  const gates = new MemoryGateStore();
  const wake: { tokens?: SfnTaskTokens } = {};
  service = await startService({
    delays: 'instant',
    functions: airlessFunctions({ handlers: env.deps, gates, tokens: () => wake.tokens! }),
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
      taskHandlerArn: LOCAL_TASK_HANDLER_ARN,
      gateHandlerArn: LOCAL_GATE_HANDLER_ARN,
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
    const instances = async (arn: string, ended: boolean) =>
      taskInstances(plan, [{ events: await readHistory(deps.sfn, arn), ended }]);
    expect(await instances(finished.execution_arn!, true)).toEqual([
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
    expect((await store.getRun('flink_wordcount', 'stuck'))!.state).toBe('running');
    expect((await instances(stuck.execution_arn!, false))[0]!.state).toMatch(/^(running|up_for_retry)$/);

    const cancelled = await cancelRun(deps, 'flink_wordcount', 'stuck');
    expect(cancelled).toMatchObject({
      kind: 'cancelled',
      jobs: [{ task_id: 'submit_wordcount', job_name: 'wordcount-stuck', error: null }],
    });
    await service.service.whenEnded(stuck.execution_arn!);
    await until(() => store.runs.get('flink_wordcount/stuck')?.state === 'failed', 'the run ended failed');
    expect((await store.getRun('flink_wordcount', 'stuck'))!.state).toBe('failed');
  });

  it('runs a DAG the compiler split into child state machines: children run as executions of their versions', async () => {
    // Job tasks with long arguments: over 1 MB as one machine, so the compiler splits it. The
    // emulated Genie refuses arguments over 10,000 characters: those tasks fail, `small` succeeds,
    // and every task's record comes back to the parent through its child's output.
    let text =
      "dag_id: wide\nschedule: null\nconnections:\n  genie: { type: none, host: 'http://genie.internal:8080' }\n" +
      'default_args: { execution_timeout: 1h }\ntasks:\n  start: { operator: empty }\n';
    const job = (id: string, args: string) =>
      `  ${id}: { operator: genie, connection: genie, cluster_tags: ['emr.cluster.role:batch'], command_tags: ['type:spark-submit', 'version:2.4.3'], command_arguments: '${args}', job_name: '${id}-{{ ds_nodash }}', depends_on: [start] }\n`;
    for (let i = 0; i < 11; i++) text += job(`t${i}`, 'x'.repeat(100_000));
    text += job('small', 'report.py');
    await deps.bucket.putText('dags/wide.yaml', text);
    expect(await registerDagObject(registry, 'dags/wide.yaml')).toMatchObject({ action: 'published' });
    const entry = (await deps.bucket.getEntry('wide'))!;
    expect(entry.children!.length).toBeGreaterThan(1);

    await triggerRun(deps, { dag_id: 'wide', run_type: 'manual', dag_run_id: 'w1' });
    const run = (await store.getRun('wide', 'w1'))!;
    await service.service.whenEnded(run.execution_arn!);
    const finished = (await store.getRun('wide', 'w1'))!;
    expect(finished.state).toBe('failed');
    // The leaves' records, as the parent's outcome state receives them from the children.
    const parent = await readHistory(deps.sfn, run.execution_arn!);
    const outcome = parent.find((e) => e.stateEnteredEventDetails?.name === 'dag.run.outcome')!;
    expect(JSON.parse(outcome.stateEnteredEventDetails!.input!).tasks).toEqual({
      small: 'success',
      ...Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`t${i}`, 'failed'])),
    });
    for (const child of entry.children!) {
      const listed = await deps.sfn.send(new ListExecutionsCommand({ stateMachineArn: child.version_arn }));
      expect(
        listed.executions!.map((e) => e.status),
        child.name,
      ).toEqual(['SUCCEEDED']);
    }
    expect(parent.filter((e) => e.type === 'TaskSucceeded')).toHaveLength(entry.children!.length);
  }, 120_000);
});
