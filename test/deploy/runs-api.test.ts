import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CancelDeps } from '../../src/handlers/api/cancel-run.ts';
import { onExecutionFinished } from '../../src/handlers/api/run-finished.ts';
import { handleApiRequest } from '../../src/handlers/api/routes.ts';
import type { TaskInvocation } from '../../src/handlers/contract.ts';
import { DagBucket } from '../../src/handlers/registry/dag-bucket.ts';
import { MemoryRunStore } from './memory-run-store.ts';
import { executionArnOf, seedDag, STATE_MACHINE_PREFIX } from './registry-fixture.ts';
import { type LocalS3, startS3 } from './s3rver.ts';

/*
 * The HTTP API handler with the registry on s3rver (real S3 API) and Step Functions through
 * aws-sdk-client-mock: there is no local engine for StartExecution/StopExecution/history. The run
 * store is MemoryRunStore (same conditional semantics as DynamoDbRunStore, which
 * dynamodb-run-store.test.ts pins to exact DynamoDB requests).
 */
const BUCKET = 'airless-dags';
const SM = `${STATE_MACHINE_PREFIX}etl`;
const DAG = `dag_id: etl
max_active_runs: 2
params:
  region: { type: string, enum: [eu, us], default: eu }
  limit: { type: integer, minimum: 1 }
  tag: { type: string, pattern: "^[a-z]+$", default: nightly }
tasks:
  prepare: { operator: empty }
  load:
    operator: flink.rest
    endpoint: http://127.0.0.1:8081
    action: NEW
    jar_id: wordcount.jar
    entry_class: org.example.Load
    execution_timeout: 1h
    depends_on: [prepare]
  report: { operator: empty, depends_on: [load], trigger_rule: all_done }
`;

let s3: LocalS3;
let deps: CancelDeps;
let store: MemoryRunStore;
let clock: number;
const sfn = mockClient(SFNClient);
const cancelled: TaskInvocation[] = [];

const request = (routeKey: string, path: Record<string, string>, body?: unknown): APIGatewayProxyEventV2 =>
  ({
    routeKey,
    pathParameters: path,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
  }) as APIGatewayProxyEventV2;

async function call(routeKey: string, path: Record<string, string>, body?: unknown) {
  const response = await handleApiRequest(deps, request(routeKey, path, body));
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
}
const trigger = (body: unknown, dagId = 'etl') => call('POST /dags/{dag_id}/runs', { dag_id: dagId }, body);
const started = () => sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);
const executionArn = (name: string) => executionArnOf('etl', name);

/** What EventBridge delivers when an execution ends. */
const ended = (runId: string, status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED') =>
  onExecutionFinished(deps, {
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    detail: {
      executionArn: executionArn(runId),
      stateMachineArn: SM,
      status,
      input: JSON.stringify({ run: { dag_id: 'etl', run_id: runId } }),
      stopDate: clock,
    },
  });

beforeAll(async () => {
  s3 = await startS3([BUCKET]);
  const bucket = new DagBucket(s3.client, BUCKET);
  await seedDag(bucket, DAG);
  deps = {
    store: new MemoryRunStore(),
    bucket,
    sfn: new SFNClient({ region: 'eu-west-1' }),
    now: () => new Date(clock),
    cancelJob: async (invocation) => {
      cancelled.push(invocation);
      return {};
    },
  };
});
afterAll(async () => {
  await s3.close();
});
beforeEach(() => {
  sfn.reset();
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
    executionArn: executionArn(input.name),
    startDate: new Date(clock),
  }));
  store = new MemoryRunStore();
  deps.store = store;
  clock = Date.parse('2026-11-21T12:00:00Z');
  cancelled.length = 0;
});

describe('POST /dags/{dag_id}/runs', () => {
  it('rejects conf that breaks the params with 400 and every field’s error; starts nothing', async () => {
    const { status, body } = await trigger({ conf: { region: 'mars', limit: 0, tag: 'Bad Tag' } });
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      { field: 'conf.limit', message: 'must be >= 1' },
      { field: 'conf.region', message: 'must be one of ["eu","us"]' },
      { field: 'conf.tag', message: 'must match pattern ^[a-z]+$' },
    ]);
    expect((await trigger({ conf: {} })).body.errors).toEqual([
      { field: 'conf.limit', message: 'is required' },
    ]);
    expect((await trigger({ conf: { limit: 'ten' } })).body.errors).toEqual([
      { field: 'conf.limit', message: 'must be of type integer, got string' },
    ]);
    expect(started()).toEqual([]);
  });

  it('rejects a malformed request body with 400 and an unknown DAG with 404', async () => {
    expect((await trigger('{not json')).status).toBe(400);
    const extra = await trigger({ conf: { limit: 1 }, dag_run_idd: 'x' });
    expect(extra.status).toBe(400);
    expect(JSON.stringify(extra.body.errors)).toContain('dag_run_idd');
    expect((await trigger({ conf: 'x' })).status).toBe(400);
    expect((await trigger({ logical_date: 'yesterday', conf: { limit: 1 } })).body.errors).toEqual([
      {
        field: 'logical_date',
        message: 'must be an RFC 3339 date-time with an offset, such as 2026-01-01T00:00:00Z',
      },
    ]);
    expect((await trigger({ conf: { limit: 1 } }, 'nope')).status).toBe(404);
    expect((await trigger({ conf: { limit: 1 } }, '../registry/etl')).status).toBe(404);
    expect(started()).toEqual([]);
  });

  it('starts an execution on the live alias with the resolved params, and is idempotent', async () => {
    const body = { dag_run_id: 'r1', conf: { limit: 5 }, logical_date: '2026-11-20T00:00:00Z' };
    const first = await trigger(body);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      dag_id: 'etl',
      dag_run_id: 'r1',
      state: 'running',
      run_type: 'manual',
      logical_date: '2026-11-20T00:00:00+00:00',
      conf: { limit: 5 },
      execution_arn: executionArn('r1'),
    });
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([
      {
        stateMachineArn: `${SM}:live`,
        name: 'r1',
        input: JSON.stringify({
          run: {
            dag_id: 'etl',
            run_id: 'r1',
            logical_date: '2026-11-20T00:00:00+00:00',
            conf: { limit: 5 },
            params: { limit: 5, region: 'eu', tag: 'nightly' },
          },
        }),
      },
    ]);

    clock += 60_000;
    const again = await trigger(body);
    expect(again).toEqual(first);
    expect(started()).toEqual(['r1']);

    const other = await trigger({ ...body, conf: { limit: 6 } });
    expect(other.status).toBe(409);
    expect(started()).toEqual(['r1']);
  });

  it('generates Airflow run ids and a valid execution name from the trigger time', async () => {
    const { body } = await trigger({ conf: { limit: 1 } });
    expect(body.dag_run_id).toBe('manual__2026-11-21T12:00:00+00:00');
    expect(started()[0]).toMatch(/^manual__2026-11-21T12_00_00_00_00-[0-9a-f]{12}$/);
  });
});

describe('max_active_runs', () => {
  it('queues runs beyond the limit, never drops them, and starts them in order as runs end in any way', async () => {
    for (const id of ['r1', 'r2', 'r3', 'r4', 'r5']) {
      clock += 1000;
      const { status, body } = await trigger({ dag_run_id: id, conf: { limit: 1 } });
      expect(status).toBe(200);
      expect(body.state).toBe(['r1', 'r2'].includes(id) ? 'running' : 'queued');
    }
    expect(started()).toEqual(['r1', 'r2']);

    clock += 1000;
    // A split DAG's child execution (input {run, run_key}) ending is not its run ending.
    const child = await onExecutionFinished(deps, {
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      detail: {
        executionArn: `${SM}-child-1:c1`,
        stateMachineArn: `${SM}-child-1`,
        status: 'SUCCEEDED',
        input: JSON.stringify({ run: { dag_id: 'etl', run_id: 'r1' }, run_key: executionArn('r1') }),
        stopDate: clock,
      },
    });
    expect(child).toBe('ignored');
    expect(started()).toEqual(['r1', 'r2']);
    expect((await store.getRun('etl', 'r1'))!.state).toBe('running');
    expect(await ended('r1', 'FAILED')).toBe('finished');
    expect(started()).toEqual(['r1', 'r2', 'r3']);
    expect(await ended('r1', 'FAILED')).toBe('ignored'); // EventBridge redelivery frees nothing twice
    expect(started()).toEqual(['r1', 'r2', 'r3']);

    await ended('r2', 'TIMED_OUT');
    expect(started()).toEqual(['r1', 'r2', 'r3', 'r4']);
    await ended('r3', 'ABORTED');
    await ended('r4', 'SUCCEEDED');
    expect(started()).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    await ended('r5', 'SUCCEEDED');
    expect(store.active.get('etl')).toBe(0);

    const states = await Promise.all(['r1', 'r2', 'r3', 'r4', 'r5'].map((id) => store.getRun('etl', id)));
    expect(states.map((r) => r!.state)).toEqual(['failed', 'failed', 'failed', 'success', 'success']);
  });

  it('a run that fails to start gives its slot back and the next one starts', async () => {
    sfn.on(StartExecutionCommand, { name: 'r1' }).rejects(new Error('AccessDenied'));
    await trigger({ dag_run_id: 'r1', conf: { limit: 1 } });
    await trigger({ dag_run_id: 'r2', conf: { limit: 1 } });
    expect((await store.getRun('etl', 'r1'))!.state).toBe('failed');
    expect((await store.getRun('etl', 'r2'))!.state).toBe('running');
    expect(store.active.get('etl')).toBe(1);
  });
});

describe('cancel', () => {
  const run = {
    dag_id: 'etl',
    run_id: 'r1',
    logical_date: '2026-11-21T12:00:00+00:00',
    conf: {},
    params: {},
  };
  const invocation = (op: 'submit' | 'poll', taskId: string, extra: Record<string, unknown> = {}) => ({
    op,
    task: {
      task_id: taskId,
      operator: 'flink.rest',
      config: {},
      wait_for: 'FINISHED',
      connection: null,
      secrets: null,
    },
    run,
    upstream: {},
    try_number: 1,
    clock: null,
    ...extra,
  });
  const job = (name: string) => ({
    operator: 'flink.rest',
    job_name: name,
    job_id: `id-${name}`,
    handle: {},
    submitted_at: '2026-11-21T12:00:01Z',
  });
  let id = 0;
  const event = (type: string, details: Record<string, unknown>, previous?: number): HistoryEvent => ({
    id: ++id,
    type: type as HistoryEvent['type'],
    timestamp: new Date('2026-11-21T12:00:00Z'),
    previousEventId: previous ?? id - 1,
    ...details,
  });
  /** One handler call as Step Functions records a Task state with a bare Lambda ARN as Resource. */
  const lambdaCall = (payload: unknown, result: unknown | 'pending'): HistoryEvent[] => {
    const scheduled = event('LambdaFunctionScheduled', {
      lambdaFunctionScheduledEventDetails: {
        resource: 'arn:aws:lambda:eu-west-1:1:function:t',
        input: JSON.stringify(payload),
      },
    });
    const start = event('LambdaFunctionStarted', {});
    if (result === 'pending') return [scheduled, start];
    return [
      scheduled,
      start,
      event('LambdaFunctionSucceeded', {
        lambdaFunctionSucceededEventDetails: { output: JSON.stringify(result) },
      }),
    ];
  };

  it('takes a queued run off the queue: it never starts, the next one does', async () => {
    for (const runId of ['r1', 'r2', 'r3', 'r4']) await trigger({ dag_run_id: runId, conf: { limit: 1 } });
    const { status, body } = await call('POST /dags/{dag_id}/runs/{run_id}/cancel', {
      dag_id: 'etl',
      run_id: 'r3',
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ dag_run_id: 'r3', state: 'failed', cancelled_jobs: [] });
    await ended('r1', 'SUCCEEDED');
    expect(started()).toEqual(['r1', 'r2', 'r4']);
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
  });

  it('stops a running execution and cancels, through the task handler, every job that had not finished', async () => {
    await trigger({ dag_run_id: 'r1', conf: { limit: 1 } });
    id = 0;
    const history = [
      event('ExecutionStarted', {}),
      ...lambdaCall(invocation('submit', 'load'), { job: job('etl-load-r1') }),
      ...lambdaCall(invocation('poll', 'load', { job: job('etl-load-r1') }), 'pending'),
      ...lambdaCall(invocation('submit', 'done_already'), { job: job('etl-done-r1') }),
      ...lambdaCall(invocation('poll', 'done_already', { job: job('etl-done-r1') }), { state: 'success' }),
    ];
    sfn.on(GetExecutionHistoryCommand).resolves({ events: history });
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });

    const { status, body } = await call('POST /dags/{dag_id}/runs/{run_id}/cancel', {
      dag_id: 'etl',
      run_id: 'r1',
    });

    expect(status).toBe(200);
    expect(sfn.commandCalls(StopExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { executionArn: executionArn('r1'), cause: 'cancelled through the airless API' },
    ]);
    expect(cancelled).toEqual([
      {
        op: 'cancel',
        task: invocation('submit', 'load').task,
        run,
        upstream: {},
        try_number: 1,
        job: job('etl-load-r1'),
      },
    ]);
    expect(body.cancelled_jobs).toEqual([{ task_id: 'load', job_name: 'etl-load-r1', error: null }]);
    // The slot comes back with the ABORTED status event, as for any other end.
    await ended('r1', 'ABORTED');
    expect((await store.getRun('etl', 'r1'))!.state).toBe('failed');
    expect(store.active.get('etl')).toBe(0);
  });

  it('answers 404 for an unknown run', async () => {
    expect(
      (await call('POST /dags/{dag_id}/runs/{run_id}/cancel', { dag_id: 'etl', run_id: 'zz' })).status,
    ).toBe(404);
  });

  it('GET reports the run and each task in Airflow’s states, from the execution history', async () => {
    await trigger({ dag_run_id: 'r1', conf: { limit: 1 } });
    id = 0;
    const history = [
      event('ExecutionStarted', {}),
      event('TaskStateEntered', {
        stateEnteredEventDetails: {
          name: 'load.submit',
          input: JSON.stringify({ run, tasks: { prepare: { state: 'success' } } }),
        },
      }),
      ...lambdaCall(invocation('submit', 'load'), { job: job('etl-load-r1') }),
      ...lambdaCall(invocation('poll', 'load', { job: job('etl-load-r1') }), 'pending'),
    ];
    sfn.on(GetExecutionHistoryCommand).resolves({ events: history });
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ status: 'RUNNING', startDate: new Date('2026-11-21T12:00:00Z') });

    const { status, body } = await call('GET /dags/{dag_id}/runs/{run_id}', { dag_id: 'etl', run_id: 'r1' });

    expect(status).toBe(200);
    expect(body).toMatchObject({
      dag_run_id: 'r1',
      state: 'running',
      start_date: '2026-11-21T12:00:00+00:00',
    });
    expect(
      (body.task_instances as Array<{ task_id: string; state: unknown }>).map((t) => [t.task_id, t.state]),
    ).toEqual([
      ['prepare', 'success'],
      ['load', 'running'],
      ['report', null],
    ]);
  });

  it('GET reports a failed run with each task’s final state from the workflow’s own records', async () => {
    await trigger({ dag_run_id: 'r1', conf: { limit: 1 } });
    id = 0;
    const final = {
      prepare: { state: 'success' },
      load: { state: 'failed', error: 'JobFailed' },
      report: { state: 'success' },
    };
    const history = [
      event('ExecutionStarted', {}),
      ...lambdaCall(invocation('submit', 'load'), { job: job('etl-load-r1') }),
      event('ChoiceStateEntered', {
        stateEnteredEventDetails: { name: 'dag.run.outcome', input: JSON.stringify({ run, tasks: final }) },
      }),
      event('ExecutionFailed', { executionFailedEventDetails: { error: 'DagRunFailed' } }),
    ];
    sfn.on(GetExecutionHistoryCommand).resolves({ events: history });
    sfn.on(DescribeExecutionCommand).resolves({
      status: 'FAILED',
      startDate: new Date('2026-11-21T12:00:00Z'),
      stopDate: new Date('2026-11-21T12:05:00Z'),
    });

    const { body } = await call('GET /dags/{dag_id}/runs/{run_id}', { dag_id: 'etl', run_id: 'r1' });

    expect(body).toMatchObject({ state: 'failed', end_date: '2026-11-21T12:05:00+00:00' });
    expect(
      (body.task_instances as Array<{ task_id: string; state: unknown }>).map((t) => [t.task_id, t.state]),
    ).toEqual([
      ['prepare', 'success'],
      ['load', 'failed'],
      ['report', 'success'],
    ]);
  });

  it('GET /dags lists DAGs with their version and schedule', async () => {
    const { status, body } = await call('GET /dags', {});
    expect(status).toBe(200);
    expect(body).toMatchObject({
      total_entries: 1,
      dags: [{ dag_id: 'etl', version: 7, version_arn: `${SM}:7`, schedule: null, is_paused: false }],
    });
  });
});
