import { describe, expect, it } from 'vitest';
import type { PlanIR } from '../../../src/compiler/ir.ts';
import type { ApiBackend, DagEntry, RunEntry, TaskInstanceRecord } from '../../../src/runs/api/backend.ts';
import { apiRouter } from '../../../src/runs/api/router.ts';
import { buildIr } from '../../../src/compiler/build-ir.ts';
import { loadDag } from '../../../src/dag/validate.ts';

/**
 * The router's own behaviour (paths, shapes, errors), on a test double of the port: an in-memory
 * ApiBackend. The hosts' real backends run the shared suite (api-v2-suite.ts).
 */
const DAG = `
dag_id: etl
params:
  size: { type: integer, minimum: 1, default: 2, description: rows }
  mode: { type: string, enum: [fast, slow], default: fast }
tasks:
  a: { operator: empty }
  b: { operator: empty, depends_on: [a] }
`;

function plan(): PlanIR {
  const { dag, diagnostics } = loadDag(DAG, 'etl.yaml');
  expect(diagnostics).toEqual([]);
  return buildIr(dag!, DAG);
}

function double(): ApiBackend & {
  runs: RunEntry[];
  cancelled: string[];
  reruns: string[][];
  failed: Set<string>;
} {
  const failed = new Set<string>();
  const p = plan();
  let paused = false;
  const runs: RunEntry[] = [];
  const cancelled: string[] = [];
  const reruns: string[][] = [];
  const dag = (): DagEntry => ({
    dag_id: 'etl',
    plan: p,
    is_paused: paused,
    fileloc: 'dags/etl.yaml',
    version: 1,
    updated_at: '2026-01-01T00:00:00Z',
    has_import_errors: false,
  });
  const tis = (): TaskInstanceRecord[] =>
    p.tasks.map((t) => ({
      task_id: t.task_id,
      state: failed.has(t.task_id) ? 'failed' : 'success',
      try_number: 1,
      start_date: '2026-01-01T00:00:00Z',
      end_date: '2026-01-01T00:00:01Z',
      outputs: null,
      tries: [
        {
          try_number: 1,
          state: 'success',
          start_date: '2026-01-01T00:00:00Z',
          end_date: '2026-01-01T00:00:01Z',
          job_id: 'job-1',
          job_url: 'http://127.0.0.1:1/#/job/job-1',
          log: [{ timestamp: '2026-01-01T00:00:00Z', event: 'submitted', level: 'info' }],
        },
      ],
    }));
  return {
    runs,
    cancelled,
    reruns,
    failed,
    listDags: async () => [dag()],
    getDag: async (id) => (id === 'etl' ? dag() : null),
    setPaused: async (id, value) => {
      if (id !== 'etl') return null;
      paused = value;
      return dag();
    },
    importErrors: async () => [
      {
        id: 1,
        filename: 'dags/bad.yaml',
        timestamp: '2026-01-01T00:00:00Z',
        stack_trace: 'dags/bad.yaml:3:5: x',
      },
    ],
    triggerRun: async (r) => {
      if (r.dag_id !== 'etl') return { kind: 'not_found', message: 'no' };
      if (r.conf && r.conf.size === 0)
        return { kind: 'invalid', errors: [{ field: 'conf.size', message: 'must be >= 1' }] };
      const run: RunEntry = {
        dag_id: 'etl',
        dag_run_id: r.dag_run_id ?? `manual__${runs.length}`,
        run_type: r.run_type,
        state: 'success',
        logical_date: '2026-01-01T00:00:00Z',
        data_interval_start: '2026-01-01T00:00:00Z',
        data_interval_end: '2026-01-01T00:00:00Z',
        run_after: '2026-01-01T00:00:00Z',
        queued_at: `2026-01-01T00:00:0${runs.length}Z`,
        start_date: null,
        end_date: null,
        conf: r.conf ?? {},
        note: r.note ?? null,
        version: 1,
        backfill_id: null,
      };
      runs.push(run);
      return { kind: 'created', run };
    },
    listRuns: async () => [...runs],
    getRun: async (_d, id) => runs.find((r) => r.dag_run_id === id) ?? null,
    taskInstances: async (_d, id) => (runs.some((r) => r.dag_run_id === id) ? tis() : null),
    cancelRun: async (_d, id) => {
      const run = runs.find((r) => r.dag_run_id === id);
      if (!run) return { kind: 'not_found' };
      cancelled.push(id);
      return { kind: 'cancelled', run: { ...run, state: 'failed' } };
    },
    rerun: async (_d, id, req) => {
      const run = runs.find((r) => r.dag_run_id === id);
      if (!run) return { kind: 'not_found' };
      reruns.push(req.cleared);
      return { kind: 'rerun', run: { ...run, state: 'queued' } };
    },
    createBackfill: async () => {
      throw new Error('not used');
    },
    getBackfill: async () => null,
    listBackfills: async () => [],
    updateBackfill: async () => {},
    now: () => new Date('2026-01-02T00:00:00Z'),
  };
}

const call = async (b: ApiBackend, method: string, path: string, body?: unknown) => {
  const [p, q] = path.split('?');
  const reply = await apiRouter(b)({
    method,
    path: p!,
    query: new URLSearchParams(q ?? ''),
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field below
  return reply as { status: number; body: any };
};

describe('Airflow REST API v2 router', () => {
  it('lists DAGs in DAGCollectionResponse shape and pauses one with PATCH', async () => {
    const b = double();
    const list = await call(b, 'GET', '/api/v2/dags');
    expect(list.status).toBe(200);
    expect(list.body.total_entries).toBe(1);
    expect(list.body.dags[0]).toMatchObject({
      dag_id: 'etl',
      is_paused: false,
      max_active_runs: 16,
      fileloc: 'dags/etl.yaml',
    });
    const patched = await call(b, 'PATCH', '/api/v2/dags/etl', { is_paused: true });
    expect(patched.body.is_paused).toBe(true);
    expect((await call(b, 'GET', '/api/v2/dags?paused=false')).body.total_entries).toBe(0);
    expect((await call(b, 'PATCH', '/api/v2/dags/etl', { is_paused: 'yes' })).status).toBe(422);
    expect((await call(b, 'PATCH', '/api/v2/dags/etl', { paused: true })).body.detail[0].loc).toEqual([
      'body',
      'paused',
    ]);
  });

  it('gives the params schema in details and the graph in tasks', async () => {
    const b = double();
    const details = await call(b, 'GET', '/api/v2/dags/etl/details');
    expect(details.body.params.mode).toMatchObject({
      value: 'fast',
      schema: { type: 'string', enum: ['fast', 'slow'] },
    });
    expect(details.body.params.size.description).toBe('rows');
    const tasks = await call(b, 'GET', '/api/v2/dags/etl/tasks');
    expect(tasks.body.tasks.map((t: Record<string, unknown>) => [t.task_id, t.downstream_task_ids])).toEqual([
      ['a', ['b']],
      ['b', []],
    ]);
  });

  it('triggers a run, and reports conf errors per field in 422 detail', async () => {
    const b = double();
    const bad = await call(b, 'POST', '/api/v2/dags/etl/dagRuns', { logical_date: null, conf: { size: 0 } });
    expect(bad.status).toBe(422);
    expect(bad.body.detail).toEqual([
      { type: 'value_error', loc: ['body', 'conf', 'size'], msg: 'must be >= 1' },
    ]);
    const good = await call(b, 'POST', '/api/v2/dags/etl/dagRuns', {
      dag_run_id: 'r1',
      logical_date: null,
      conf: { size: 3 },
    });
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({
      dag_run_id: 'r1',
      dag_id: 'etl',
      run_type: 'manual',
      triggered_by: 'rest_api',
      conf: { size: 3 },
    });
    expect((await call(b, 'POST', '/api/v2/dags/etl/dagRuns', '{')).status).toBe(422);
    expect((await call(b, 'POST', '/api/v2/dags/etl/dagRuns', { extra: 1 })).body.detail[0].loc).toEqual([
      'body',
      'extra',
    ]);
    expect((await call(b, 'POST', '/api/v2/dags/etl/dagRuns', 'x'.repeat(200_000))).status).toBe(413);
  });

  it('lists, filters and orders runs, across DAGs with ~', async () => {
    const b = double();
    for (const id of ['r1', 'r2', 'r3'])
      await call(b, 'POST', '/api/v2/dags/etl/dagRuns', { dag_run_id: id });
    const desc = await call(b, 'GET', '/api/v2/dags/~/dagRuns?order_by=-id&limit=2');
    expect(desc.body.total_entries).toBe(3);
    expect(desc.body.dag_runs.map((r: Record<string, unknown>) => r.dag_run_id)).toEqual(['r3', 'r2']);
    expect((await call(b, 'GET', '/api/v2/dags/etl/dagRuns?order_by=nope')).status).toBe(422);
    expect((await call(b, 'GET', '/api/v2/dags/etl/dagRuns?limit=101')).status).toBe(422);
  });

  it('serves task instances, tries, logs and links; 404s in Airflow words', async () => {
    const b = double();
    await call(b, 'POST', '/api/v2/dags/etl/dagRuns', { dag_run_id: 'r1' });
    const tis = await call(b, 'GET', '/api/v2/dags/etl/dagRuns/r1/taskInstances');
    expect(
      tis.body.task_instances.map((t: Record<string, unknown>) => [t.task_id, t.state, t.try_number]),
    ).toEqual([
      ['a', 'success', 1],
      ['b', 'success', 1],
    ]);
    const log = await call(b, 'GET', '/api/v2/dags/etl/dagRuns/r1/taskInstances/a/logs/1');
    expect(log.body.content[0]).toMatchObject({
      event: 'job job-1',
      job_url: 'http://127.0.0.1:1/#/job/job-1',
    });
    expect((await call(b, 'GET', '/api/v2/dags/etl/dagRuns/r1/taskInstances/a/logs/2')).status).toBe(404);
    expect(
      (await call(b, 'GET', '/api/v2/dags/etl/dagRuns/r1/taskInstances/a/tries')).body.total_entries,
    ).toBe(1);
    const missing = await call(b, 'GET', '/api/v2/dags/etl/dagRuns/nope');
    expect(missing).toEqual({
      status: 404,
      body: { detail: 'The DagRun with dag_id: `etl` and run_id: `nope` was not found' },
    });
    expect((await call(b, 'GET', '/api/v2/dags/no%2Fsuch')).status).toBe(404);
    expect((await call(b, 'GET', '/api/v2/dags/etl/dagRuns/%E0%A4%A')).status).toBe(404);
  });

  it('PATCH state failed cancels, queued clears every task', async () => {
    const b = double();
    await call(b, 'POST', '/api/v2/dags/etl/dagRuns', { dag_run_id: 'r1' });
    expect((await call(b, 'PATCH', '/api/v2/dags/etl/dagRuns/r1', { state: 'failed' })).body.state).toBe(
      'failed',
    );
    expect(b.cancelled).toEqual(['r1']);
    expect((await call(b, 'PATCH', '/api/v2/dags/etl/dagRuns/r1', { state: 'queued' })).body.state).toBe(
      'queued',
    );
    expect(b.reruns).toEqual([['a', 'b']]);
    expect((await call(b, 'PATCH', '/api/v2/dags/etl/dagRuns/r1', { state: 'success' })).status).toBe(422);
  });

  it('clears: dry run lists the selection, a real clear re-runs it, a running run is refused', async () => {
    const b = double();
    await call(b, 'POST', '/api/v2/dags/etl/dagRuns', { dag_run_id: 'r1' });
    b.failed.add('a');
    const body = { dag_run_id: 'r1', only_failed: false, task_ids: ['a'], include_downstream: true };
    const dry = await call(b, 'POST', '/api/v2/dags/etl/clearTaskInstances', body);
    expect(dry.status).toBe(200);
    expect(dry.body.task_instances.map((t: Record<string, unknown>) => t.task_id)).toEqual(['a', 'b']);
    expect(b.reruns).toEqual([]);
    const onlyFailed = await call(b, 'POST', '/api/v2/dags/etl/clearTaskInstances', { dag_run_id: 'r1' });
    expect(onlyFailed.body.total_entries).toBe(1);
    const real = await call(b, 'POST', '/api/v2/dags/etl/clearTaskInstances', { ...body, dry_run: false });
    expect(real.status).toBe(200);
    expect(b.reruns).toEqual([['a', 'b']]);
    b.rerun = async () => ({ kind: 'conflict', message: 'the run changed while it was being cleared' });
    const raced = await call(b, 'POST', '/api/v2/dags/etl/clearTaskInstances', { ...body, dry_run: false });
    expect(raced).toEqual({ status: 409, body: { detail: 'the run changed while it was being cleared' } });
    b.runs[0]!.state = 'running';
    const busy = await call(b, 'POST', '/api/v2/dags/etl/clearTaskInstances', { ...body, dry_run: false });
    expect(busy.status).toBe(409);
    const past = await call(b, 'POST', '/api/v2/dags/etl/clearTaskInstances', {
      ...body,
      include_past: true,
    });
    expect(past.status).toBe(422);
    expect(past.body.detail[0].loc).toEqual(['body', 'include_past']);
    const noRun = await call(b, 'POST', '/api/v2/dags/etl/clearTaskInstances', { task_ids: ['a'] });
    expect(noRun.body.detail[0].loc).toEqual(['body', 'dag_run_id']);
    expect((await call(b, 'POST', '/api/v2/dags/etl/clearTaskInstances', { dag_run_id: 'zz' })).status).toBe(
      404,
    );
  });

  it('lists import errors with file:line:col', async () => {
    const b = double();
    const errors = await call(b, 'GET', '/api/v2/importErrors');
    expect(errors.body.import_errors[0]).toMatchObject({
      import_error_id: 1,
      filename: 'dags/bad.yaml',
      stack_trace: 'dags/bad.yaml:3:5: x',
    });
  });
});
