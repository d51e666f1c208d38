import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DescribeStateMachineCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { onExecutionFinished } from '../src/aws/run-finished.ts';
import { triggerRun } from '../src/aws/run-queue.ts';
import type { RunStore } from '../src/runs/run-store.ts';
import { formatTable } from '../src/cli/table.ts';
import { generateDagYaml } from './generate-dag.ts';
import { DagBucket } from '../src/aws/registry/dag-bucket.ts';
import { registerDagObject } from '../src/aws/registry/register-dag.ts';
import { MemoryRunStore } from '../test/deploy/memory-run-store.ts';
import { executionArnOf, seedDag } from '../test/deploy/registry-fixture.ts';
import { startS3 } from '../test/deploy/s3rver.ts';

/**
 * The AWS deployment's own overhead, offline: (1) register-dag from upload to published, per
 * example DAG, against s3rver with the Step Functions/Scheduler control plane mocked (so cloud API
 * latency is not in it); (2) the DynamoDB requests the max_active_runs queue spends per run, counted
 * on the RunStore interface, whose methods map one-to-one onto DynamoDbRunStore's requests.
 */
const RUNS = 5;
const QUEUE_RUNS = 200;
const MAX_ACTIVE = 8;
/** DynamoDB on-demand list prices (USD per million request units), an assumption stated in the table. */
const PRICE = { write: 0.625, read: 0.125 };

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function registerTimes(): Promise<string[][]> {
  const s3 = await startS3(['bench-dags']);
  const sfn = mockClient(SFNClient);
  mockClient(SchedulerClient);
  sfn.on(DescribeStateMachineCommand).rejects(new StateMachineDoesNotExist({ message: 'no', $metadata: {} }));
  sfn.on(CreateStateMachineCommand).callsFake((input: { name: string }) => ({
    stateMachineArn: `arn:sm:${input.name}`,
    stateMachineVersionArn: `arn:sm:${input.name}:1`,
  }));
  sfn.on(CreateStateMachineAliasCommand).resolves({});
  const bucket = new DagBucket(s3.client, 'bench-dags');
  const deps = {
    bucket,
    sfn: new SFNClient({ region: 'eu-west-1' }),
    scheduler: new SchedulerClient({ region: 'eu-west-1' }),
    now: () => new Date(),
    config: {
      stateMachinePrefix: 'airless-bench-dag-',
      stateMachineArnPrefix: 'arn:aws:states:eu-west-1:123456789012:stateMachine:',
      workflowRoleArn: 'arn:aws:iam::123456789012:role/wf',
      taskHandlerArn: 'arn:aws:lambda:eu-west-1:123456789012:function:task',
      gateHandlerArn: 'arn:aws:lambda:eu-west-1:123456789012:function:gate',
      scheduler: {
        group: 'g',
        functionArn: 'arn:aws:lambda:eu-west-1:1:function:s',
        roleArn: 'arn:aws:iam::1:role/s',
      },
    },
  };
  const rows: string[][] = [];
  try {
    for (const file of readdirSync('dags')
      .filter((f) => f.endsWith('.yaml'))
      .sort()) {
      const text = readFileSync(join('dags', file), 'utf8');
      const published: number[] = [];
      const unchanged: number[] = [];
      let refusal: string | null = null;
      for (let i = 0; i < RUNS && refusal === null; i++) {
        const key = `dags/${i}/${file}`; // a fresh registration each time
        const body = text.replace(/^dag_id: (\S+)/m, `dag_id: $1_${i}`);
        await s3.client.send(new PutObjectCommand({ Bucket: 'bench-dags', Key: key, Body: body }));
        let t = performance.now();
        const result = await registerDagObject(deps, key);
        published.push(performance.now() - t);
        if (result.action === 'rejected') refusal = result.diagnostics[0]!.replace(/^.*error: /, '');
        t = performance.now();
        await registerDagObject(deps, key);
        unchanged.push(performance.now() - t);
      }
      if (refusal !== null) {
        rows.push([file, `rejected in ${median(published).toFixed(0)} ms: ${refusal}`, '']);
        continue;
      }
      rows.push([file, `${median(published).toFixed(0)} ms`, `${median(unchanged).toFixed(0)} ms`]);
    }
    // A DAG too large for one machine: the parent and every child created and versioned together.
    const key = 'dags/generated-5000.yaml';
    const body = generateDagYaml({ tasks: 5_000, seed: 3 }).replace(
      /^dag_id: (\S+)/m,
      'dag_id: generated_5000',
    );
    await s3.client.send(new PutObjectCommand({ Bucket: 'bench-dags', Key: key, Body: body }));
    sfn.resetHistory();
    let t = performance.now();
    const result = await registerDagObject(deps, key);
    const published = performance.now() - t;
    const machines = sfn.commandCalls(CreateStateMachineCommand).length;
    t = performance.now();
    await registerDagObject(deps, key);
    rows.push([
      `generated 5,000 tasks, ${result.action} as ${machines} machines (1 run)`,
      `${published.toFixed(0)} ms`,
      `${(performance.now() - t).toFixed(0)} ms`,
    ]);
  } finally {
    sfn.restore();
    await s3.close();
  }
  return rows;
}

/** Requests DynamoDbRunStore makes per RunStore call: [reads, writes, write units]. */
const REQUESTS: Record<keyof RunStore, { reads: number; writes: number; units: number }> = {
  createQueuedRun: { reads: 0, writes: 1, units: 4 }, // transaction of 2 items: 2 units each
  getRun: { reads: 1, writes: 0, units: 0 },
  dequeueOldest: { reads: 1, writes: 1, units: 1 }, // Query + conditional Delete
  removeFromQueue: { reads: 0, writes: 1, units: 1 },
  queueLength: { reads: 1, writes: 0, units: 0 },
  tryAcquireSlot: { reads: 0, writes: 1, units: 1 },
  releaseSlot: { reads: 0, writes: 1, units: 1 },
  markRunning: { reads: 0, writes: 1, units: 1 },
  finish: { reads: 0, writes: 1, units: 4 }, // transaction: run + counter
  listRuns: { reads: 1, writes: 0, units: 0 },
  requeue: { reads: 0, writes: 1, units: 4 }, // transaction: run + queue entry
};

function counted(store: MemoryRunStore) {
  const totals = { reads: 0, writes: 0, units: 0 };
  const proxy = new Proxy(store, {
    get(target, name: string) {
      const value = Reflect.get(target, name) as unknown;
      if (typeof value !== 'function' || !(name in REQUESTS)) return value;
      return async (...args: unknown[]) => {
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        // An empty queue costs the Query only: there is nothing to delete.
        const cost =
          name === 'dequeueOldest' && result === null
            ? { reads: 1, writes: 0, units: 0 }
            : REQUESTS[name as keyof RunStore];
        totals.reads += cost.reads;
        totals.writes += cost.writes;
        totals.units += cost.units;
        return result;
      };
    },
  });
  return { store: proxy as RunStore, totals };
}

async function queueCosts(): Promise<string[][]> {
  const s3 = await startS3(['bench-runs']);
  const sfn = mockClient(SFNClient);
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
    executionArn: executionArnOf('queue', input.name),
    startDate: new Date(),
  }));
  try {
    const bucket = new DagBucket(s3.client, 'bench-runs');
    await seedDag(
      bucket,
      `dag_id: queue\nmax_active_runs: ${MAX_ACTIVE}\ntasks:\n  t: { operator: empty }\n`,
    );
    const { store, totals } = counted(new MemoryRunStore());
    const deps = { store, bucket, sfn: new SFNClient({ region: 'eu-west-1' }), now: () => new Date() };
    const started = performance.now();
    for (let i = 0; i < QUEUE_RUNS; i++) {
      const outcome = await triggerRun(deps, { dag_id: 'queue', run_type: 'manual', dag_run_id: `r${i}` });
      if (outcome.kind !== 'created') throw new Error(JSON.stringify(outcome));
    }
    for (let i = 0; i < QUEUE_RUNS; i++) {
      await onExecutionFinished(deps, {
        'detail-type': 'Step Functions Execution Status Change',
        detail: {
          executionArn: executionArnOf('queue', `r${i}`),
          status: i % 3 === 0 ? 'FAILED' : 'SUCCEEDED',
          input: JSON.stringify({ run: { dag_id: 'queue', run_id: `r${i}` } }),
        },
      });
    }
    const ms = performance.now() - started;
    const starts = sfn.commandCalls(StartExecutionCommand).length;
    if (starts !== QUEUE_RUNS) throw new Error(`${starts} of ${QUEUE_RUNS} runs started`);
    const per = (n: number) => (n / QUEUE_RUNS).toFixed(2);
    const usdPer1000Runs =
      ((totals.units * PRICE.write + totals.reads * PRICE.read) / 1e6) * (1000 / QUEUE_RUNS);
    return [
      [
        `${QUEUE_RUNS} runs, max_active_runs ${MAX_ACTIVE}`,
        per(totals.reads),
        per(totals.writes),
        per(totals.units),
        `$${usdPer1000Runs.toFixed(4)}`,
        `${(ms / QUEUE_RUNS).toFixed(1)} ms`,
      ],
    ];
  } finally {
    sfn.restore();
    await s3.close();
  }
}

export async function run(): Promise<void> {
  console.log(`register-dag, upload to published (s3rver; control plane mocked), median of ${RUNS}:\n`);
  console.log(
    formatTable(
      ['DAG file', 'new version published', 'unchanged (nothing published)'],
      await registerTimes(),
    ),
  );
  console.log(
    `\nmax_active_runs queue: DynamoDB requests per run (accept, queue, start, finish, hand the slot on),\n` +
      `on-demand prices assumed $${PRICE.write}/M write units, $${PRICE.read}/M reads:\n`,
  );
  console.log(
    formatTable(
      [
        'workload',
        'reads/run',
        'writes/run',
        'write units/run',
        'DynamoDB $ per 1,000 runs',
        'queue code per run (in-memory store)',
      ],
      await queueCosts(),
    ),
  );
}
