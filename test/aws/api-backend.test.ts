import { UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbRunStore } from '../../src/aws/dynamodb-run-store.ts';
import { attemptName } from '../../src/runs/run-ids.ts';
import { type AwsHost, startAwsHost } from './aws-host.ts';

/**
 * AwsApiBackend beyond the shared suite, on the AWS host (dynalite, s3rver, local Step Functions;
 * EventBridge Scheduler is aws-sdk-client-mock, see aws-host.ts).
 */
const DAG = (extra = '') => `dag_id: nightly
schedule: "0 3 * * *"
max_active_runs: 1
params:
  n: { type: integer, default: 1 }
tasks:
  a: { operator: empty }
  b: { operator: empty, depends_on: [a] }${extra}
`;

let host: AwsHost;
beforeAll(async () => {
  host = await startAwsHost({ delays: 'instant' });
  await host.upload('nightly.yaml', DAG());
}, 60_000);
afterAll(() => host.close());

const scheduleStates = () =>
  host.scheduler
    .commandCalls(UpdateScheduleCommand)
    .map((c) => [c.args[0].input.Name, c.args[0].input.State]);
const until = async (what: string, check: () => Promise<boolean>) => {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
};

describe('AwsApiBackend', () => {
  it('lists the DAG with its version, file and plan; an unknown or impossible dag_id is null', async () => {
    const dag = await host.backend.getDag('nightly');
    expect(dag).toMatchObject({
      dag_id: 'nightly',
      version: 1,
      fileloc: 'dags/nightly.yaml',
      is_paused: false,
    });
    expect(dag!.plan.tasks.map((t) => t.task_id)).toEqual(['a', 'b']);
    expect((await host.backend.listDags()).map((d) => d.dag_id)).toEqual(['nightly']);
    expect(await host.backend.getDag('nope')).toBeNull();
    expect(await host.backend.getDag('../registry/nightly')).toBeNull();
  });

  it('pauses: schedules disabled, kept paused across a new version, a schedule tick starts nothing; unpausing enables them', async () => {
    host.scheduler.resetHistory();
    expect(await host.backend.setPaused('nightly', true)).toMatchObject({ is_paused: true });
    expect(scheduleStates()).toEqual([['nightly', 'DISABLED']]);

    host.scheduler.resetHistory();
    await host.upload('nightly.yaml', DAG('\n  c: { operator: empty, depends_on: [b] }'));
    expect(await host.backend.getDag('nightly')).toMatchObject({ is_paused: true, version: 2 });
    expect(scheduleStates()).toEqual([['nightly', 'DISABLED']]);

    const { onScheduleTick } = await import('../../src/aws/run-triggers.ts');
    const deps = (host.backend as unknown as { deps: Parameters<typeof onScheduleTick>[0] }).deps;
    expect(await onScheduleTick(deps, { dag_id: 'nightly', logical_date: '2026-11-21T03:00:00Z' })).toEqual({
      kind: 'paused',
    });
    expect(await host.backend.listRuns('nightly')).toEqual([]);

    host.scheduler.resetHistory();
    expect(await host.backend.setPaused('nightly', false)).toMatchObject({ is_paused: false });
    expect(scheduleStates()).toEqual([['nightly', 'ENABLED']]);
    expect(await host.backend.setPaused('nope', true)).toBeNull();
  });

  it('a run keeps the version it was created on; each attempt of a re-run has its own execution, and every try shows', async () => {
    const created = await host.backend.triggerRun({
      dag_id: 'nightly',
      run_type: 'manual',
      dag_run_id: 'v2run',
    });
    expect(created).toMatchObject({ kind: 'created', run: { version: 2 } });
    await until(
      'v2run to end',
      async () => (await host.backend.getRun('nightly', 'v2run'))?.state === 'success',
    );
    await host.upload('nightly.yaml', DAG('\n  d: { operator: empty, depends_on: [b] }'));
    expect((await host.backend.getDag('nightly'))!.version).toBe(3);
    expect((await host.backend.getRun('nightly', 'v2run'))!.version).toBe(2);
    // The run's task instances are those of its own version (c, not d).
    const tis = (await host.backend.taskInstances('nightly', 'v2run'))!;
    expect(tis.map((t) => [t.task_id, t.state, t.try_number])).toEqual([
      ['a', 'success', 1],
      ['b', 'success', 1],
      ['c', 'success', 1],
    ]);

    const rerun = await host.backend.rerun('nightly', 'v2run', { cleared: ['c'] });
    expect(rerun).toMatchObject({ kind: 'rerun', run: { dag_run_id: 'v2run', version: 2 } });
    expect(['queued', 'running', 'success']).toContain((rerun as { run: { state: string } }).run.state);
    await until(
      'the re-run to end',
      async () => (await host.backend.getRun('nightly', 'v2run'))?.state === 'success',
    );
    const store = (host.backend as unknown as { deps: { store: DynamoDbRunStore } }).deps.store;
    const record = (await store.getRun('nightly', 'v2run'))!;
    expect(record.executions).toHaveLength(2);
    expect(record.executions[1]!.endsWith(`:${attemptName(record.execution_name, 2)}`)).toBe(true);
    const second = await host.sfn.send(new DescribeExecutionCommand({ executionArn: record.executions[1]! }));
    expect(second.stateMachineVersionArn).toMatch(/:2$/);
    expect(JSON.parse(second.input!)).toMatchObject({
      run: { run_id: 'v2run' },
      resume: { try_base: { c: 1 } },
    });
    const after = (await host.backend.taskInstances('nightly', 'v2run'))!;
    expect(after.map((t) => [t.task_id, t.state, t.tries.map((x) => x.try_number)])).toEqual([
      ['a', 'success', [1]],
      ['b', 'success', [1]],
      ['c', 'success', [1, 2]],
    ]);
    expect(await host.backend.rerun('nightly', 'missing', { cleared: [] })).toEqual({ kind: 'not_found' });
  });

  it('lists the runs of a DAG; cancelling an unknown run is not_found', async () => {
    await host.backend.setPaused('nightly', false);
    const runs = await host.backend.listRuns('nightly');
    expect(runs.map((r) => r.dag_run_id)).toEqual(['v2run']);
    expect(await host.backend.listRuns('../x')).toEqual([]);
    const cancelled = await host.backend.cancelRun('nightly', 'nope');
    expect(cancelled).toEqual({ kind: 'not_found' });
  });

  it('import errors: one per refused file, a stable id, file:line:col lines; has_import_errors on the DAG', async () => {
    await host.upload('nightly.yaml', DAG().replace('operator: empty', 'operator: emptyy'));
    const [first] = await host.backend.importErrors();
    expect(first).toMatchObject({ filename: 'dags/nightly.yaml' });
    expect(first!.stack_trace).toMatch(/^dags\/nightly\.yaml:\d+:\d+: /);
    await host.upload('nightly.yaml', DAG().replace('operator: empty', 'operator: emptyyy'));
    const [again] = await host.backend.importErrors();
    expect(again!.id).toBe(first!.id);
    expect(await host.backend.getDag('nightly')).toMatchObject({ has_import_errors: true, version: 3 });
    await host.upload('nightly.yaml', DAG('\n  d: { operator: empty, depends_on: [b] }'));
    expect(await host.backend.importErrors()).toEqual([]);
  });

  it('backfills: ids from one counter under concurrency, listed per DAG, updated only when they exist', async () => {
    const base = {
      from_date: '2026-11-01T00:00:00+00:00',
      to_date: '2026-11-03T00:00:00+00:00',
      run_backwards: false,
      dag_run_conf: {},
      reprocess_behavior: 'none' as const,
      max_active_runs: 2,
      is_paused: false,
      created_at: '2026-11-21T12:00:00+00:00',
      completed_at: null,
      updated_at: '2026-11-21T12:00:00+00:00',
      decided_through: null,
    };
    const made = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        host.backend.createBackfill({ ...base, dag_id: i % 2 ? 'nightly' : 'other' }),
      ),
    );
    expect(made.map((b) => b.id).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await host.backend.listBackfills('nightly')).every((b) => b.dag_id === 'nightly')).toBe(true);
    expect(await host.backend.listBackfills(null)).toHaveLength(8);
    const one = made[0]!;
    await host.backend.updateBackfill({ ...one, completed_at: '2026-11-21T13:00:00+00:00' });
    expect(await host.backend.getBackfill(one.id)).toMatchObject({
      completed_at: '2026-11-21T13:00:00+00:00',
    });
    expect(await host.backend.getBackfill(999)).toBeNull();
    expect(await host.backend.getBackfill(-1)).toBeNull();
    await expect(host.backend.updateBackfill({ ...one, id: 999 })).rejects.toThrow(/999/);
  });
});
