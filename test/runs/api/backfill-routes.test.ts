import { describe, expect, it } from 'vitest';
import { apiRouter } from '../../../src/runs/api/router.ts';
import { MemoryBackend } from '../memory-backend.ts';

/** The backfill routes and catchup on unpause, through the router, on the in-memory double of the port. */
const DAG = `
dag_id: etl
schedule: '0 6 * * *'
start_date: 2026-01-01
catchup: true
max_active_runs: 16
tasks:
  a: { operator: empty }
`;

const call = async (b: MemoryBackend, method: string, path: string, body?: unknown) => {
  const [p, q] = path.split('?');
  return (await apiRouter(b)({
    method,
    path: p!,
    query: new URLSearchParams(q ?? ''),
    body: body === undefined ? undefined : JSON.stringify(body),
  })) as { status: number; body: Record<string, unknown> };
};

describe('backfill routes', () => {
  it('dry run, create, list, pause, cancel in Airflow shapes', async () => {
    const b = new MemoryBackend('2026-01-20T12:00:00Z');
    b.addDag(DAG, true);
    const range = { dag_id: 'etl', from_date: '2026-01-02T00:00:00Z', to_date: '2026-01-05T00:00:00Z' };
    const dry = await call(b, 'POST', '/api/v2/backfills/dry_run', range);
    expect(dry.body).toEqual({
      backfills: [2, 3, 4].map((d) => ({ logical_date: `2026-01-0${d}T06:00:00+00:00` })),
      total_entries: 3,
    });
    const created = await call(b, 'POST', '/api/v2/backfills', { ...range, max_active_runs: 2 });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      id: 1,
      dag_id: 'etl',
      max_active_runs: 2,
      reprocess_behavior: 'none',
      is_paused: false,
    });
    expect(b.triggers.map((t) => t.dag_run_id)).toEqual([
      'backfill__2026-01-02T06:00:00+00:00',
      'backfill__2026-01-03T06:00:00+00:00',
    ]);
    expect((await call(b, 'POST', '/api/v2/backfills', range)).status).toBe(409);
    expect((await call(b, 'GET', '/api/v2/backfills?dag_id=etl')).body.total_entries).toBe(1);
    expect((await call(b, 'PUT', '/api/v2/backfills/1/pause')).body.is_paused).toBe(true);
    const cancelled = await call(b, 'PUT', '/api/v2/backfills/1/cancel');
    expect(cancelled.body.completed_at).not.toBeNull();
    expect((await call(b, 'GET', '/api/v2/backfills/9')).status).toBe(404);
    const bad = await call(b, 'POST', '/api/v2/backfills', { dag_id: 'etl', from_date: 'soon' });
    expect(bad.status).toBe(422);
    expect((bad.body.detail as Array<{ loc: string[] }>).map((d) => d.loc.join('.'))).toEqual([
      'body.from_date',
      'body.to_date',
    ]);
  });

  it('unpausing a catchup DAG creates the runs it missed', async () => {
    const b = new MemoryBackend('2026-01-04T12:00:00Z');
    b.addDag(DAG, true);
    const unpaused = await call(b, 'PATCH', '/api/v2/dags/etl', { is_paused: false });
    expect(unpaused.body.is_paused).toBe(false);
    expect(unpaused.body.next_dagrun_logical_date).toBe('2026-01-05T06:00:00+00:00');
    expect(b.triggers.map((t) => [t.run_type, t.logical_date])).toEqual(
      [1, 2, 3, 4].map((d) => ['scheduled', `2026-01-0${d}T06:00:00+00:00`]),
    );
  });
});
