import { describe, expect, it } from 'vitest';
import {
  advanceBackfills,
  cancelBackfill,
  createBackfill,
  dryRunBackfill,
  setBackfillPaused,
} from '../../src/runs/backfill.ts';
import type { BackfillRecord } from '../../src/runs/api/backend.ts';
import { MemoryBackend } from './memory-backend.ts';

/** Backfills on a test double of the port (MemoryBackend): runs move only when the test finishes them. */

const DAG = `
dag_id: etl
schedule: '0 6 * * *'
start_date: 2026-01-01
params:
  n: { type: integer, minimum: 1, default: 1 }
tasks:
  a: { operator: empty }
  b: { operator: empty, depends_on: [a] }
`;

const day = (d: number): string => `2026-01-${String(d).padStart(2, '0')}T06:00:00+00:00`;

function setup(): MemoryBackend {
  const backend = new MemoryBackend('2026-01-20T12:00:00Z');
  backend.addDag(DAG);
  return backend;
}

async function create(backend: MemoryBackend, body: Record<string, unknown>): Promise<BackfillRecord> {
  const outcome = await createBackfill(backend, { dag_id: 'etl', ...body });
  if (outcome.kind !== 'created') throw new Error(JSON.stringify(outcome));
  return outcome.backfill;
}

const unfinished = (backend: MemoryBackend): string[] =>
  backend.runs.filter((r) => r.state === 'queued' || r.state === 'running').map((r) => r.dag_run_id);

describe('createBackfill', () => {
  it('starts one backfill run per interval, at most max_active_runs unfinished at a time, and completes', async () => {
    const backend = setup();
    const backfill = await create(backend, {
      from_date: '2026-01-01T00:00:00Z',
      to_date: '2026-01-10T23:59:59Z',
      max_active_runs: 3,
      dag_run_conf: { n: 7 },
    });
    expect(backfill).toMatchObject({
      id: 1,
      dag_id: 'etl',
      from_date: '2026-01-01T00:00:00+00:00',
      to_date: '2026-01-10T23:59:59+00:00',
      reprocess_behavior: 'none',
      max_active_runs: 3,
      is_paused: false,
      completed_at: null,
      decided_through: day(3),
    });
    expect(unfinished(backend)).toEqual([1, 2, 3].map((d) => `backfill__${day(d)}`));
    expect(backend.runs[0]).toMatchObject({
      run_type: 'backfill',
      backfill_id: 1,
      conf: { n: 7 },
      logical_date: day(1),
    });

    let most = 0;
    for (let round = 0; round < 20 && backend.backfills[0]!.completed_at === null; round++) {
      const [first] = unfinished(backend);
      if (first !== undefined) backend.finish(first, round % 3 === 0 ? 'failed' : 'success');
      await advanceBackfills(backend, 'etl');
      most = Math.max(most, unfinished(backend).length);
    }
    expect(most).toBe(3);
    expect(backend.runs.map((r) => r.dag_run_id)).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((d) => `backfill__${day(d)}`),
    );
    expect(backend.backfills[0]!.completed_at).toBe('2026-01-20T12:00:00+00:00');
    // Completed: nothing more happens.
    await advanceBackfills(backend);
    expect(backend.runs).toHaveLength(10);
  });

  it('runs backwards when asked, newest interval first', async () => {
    const backend = setup();
    await create(backend, {
      from_date: '2026-01-01',
      to_date: '2026-01-05',
      run_backwards: true,
      max_active_runs: 2,
    });
    expect(unfinished(backend)).toEqual([`backfill__${day(4)}`, `backfill__${day(3)}`]);
    backend.finish(`backfill__${day(4)}`, 'success');
    await advanceBackfills(backend);
    expect(unfinished(backend)).toEqual([`backfill__${day(3)}`, `backfill__${day(2)}`]);
  });

  it("covers only intervals already past and ignores the DAG's start_date, as Airflow's backfill", async () => {
    const backend = setup();
    await create(backend, { from_date: '2025-12-30', to_date: '2026-02-28', max_active_runs: 100 });
    const dates = backend.runs.map((r) => r.logical_date);
    expect(dates[0]).toBe('2025-12-30T06:00:00+00:00');
    expect(dates.at(-1)).toBe(day(20));
    expect(dates).toHaveLength(22);
  });

  it.each([
    ['none', [], [1, 5]],
    ['failed', [3], [1, 3, 5]],
    ['completed', [2, 3], [1, 2, 3, 5]],
  ] as const)(
    'reprocess_behavior %s re-runs %j, never the run in flight',
    async (behaviour, rerun, runsFor) => {
      const backend = setup();
      backend.addRun('etl', `scheduled__${day(2)}`, day(2), 'success');
      backend.addRun('etl', `scheduled__${day(3)}`, day(3), 'failed');
      backend.addRun('etl', `scheduled__${day(4)}`, day(4), 'running');
      const dry = await dryRunBackfill(backend, {
        dag_id: 'etl',
        from_date: '2026-01-01T00:00:00Z',
        to_date: '2026-01-05T23:00:00Z',
        reprocess_behavior: behaviour,
      });
      expect(dry).toEqual({
        kind: 'dry_run',
        backfills: runsFor.map((d) => ({ logical_date: day(d) })),
        total_entries: runsFor.length,
      });
      await create(backend, {
        from_date: '2026-01-01T00:00:00Z',
        to_date: '2026-01-05T23:00:00Z',
        reprocess_behavior: behaviour,
      });
      expect(backend.reruns).toEqual(
        rerun.map((d) => ({ dag_run_id: `scheduled__${day(d)}`, cleared: ['a', 'b'] })),
      );
      const created = backend.runs.filter((r) => r.run_type === 'backfill').map((r) => r.logical_date);
      expect(created).toEqual([day(1), day(5)]);
      expect(backend.run(`scheduled__${day(4)}`)!.state).toBe('running');
    },
  );

  it('counts re-runs against max_active_runs and never re-runs a run twice', async () => {
    const backend = setup();
    for (const d of [1, 2, 3]) backend.addRun('etl', `scheduled__${day(d)}`, day(d), 'failed');
    await create(backend, {
      from_date: '2026-01-01',
      to_date: '2026-01-03T23:00:00Z',
      reprocess_behavior: 'failed',
      max_active_runs: 2,
    });
    expect(backend.reruns.map((r) => r.dag_run_id)).toEqual([`scheduled__${day(1)}`, `scheduled__${day(2)}`]);
    backend.finish(`scheduled__${day(1)}`, 'failed');
    await advanceBackfills(backend);
    await advanceBackfills(backend);
    expect(backend.reruns.map((r) => r.dag_run_id)).toEqual([1, 2, 3].map((d) => `scheduled__${day(d)}`));
    backend.finish(`scheduled__${day(2)}`, 'failed');
    backend.finish(`scheduled__${day(3)}`, 'success');
    await advanceBackfills(backend);
    expect(backend.reruns).toHaveLength(3);
    expect(backend.backfills[0]!.completed_at).not.toBeNull();
  });

  it('an advance that lost its bookkeeping (a crash before updateBackfill) never redoes its own runs', async () => {
    const backend = setup();
    await create(backend, {
      from_date: '2026-01-01',
      to_date: '2026-01-03T23:00:00Z',
      reprocess_behavior: 'failed',
      max_active_runs: 3,
    });
    expect(backend.triggers).toHaveLength(3);
    backend.finish(`backfill__${day(1)}`, 'failed');
    backend.finish(`backfill__${day(2)}`, 'success');
    backend.backfills[0]!.decided_through = null;
    await advanceBackfills(backend);
    expect(backend.reruns).toEqual([]);
    expect(backend.triggers).toHaveLength(3);
    expect(backend.backfills[0]!.decided_through).toBe(day(3));
  });

  it("refuses what Airflow refuses, with Airflow's codes and one entry per field", async () => {
    const backend = setup();
    backend.addDag('dag_id: manual\ntasks:\n  a: { operator: empty }\n');
    const errors = async (body: unknown) => {
      const outcome = await createBackfill(backend, body);
      return outcome.kind === 'invalid' ? outcome.errors : outcome;
    };
    expect(
      await errors({
        dag_id: 'etl',
        from_date: 'x',
        colour: 1,
        reprocess_behavior: 'all',
        max_active_runs: 0,
      }),
    ).toEqual([
      { field: 'colour', message: 'Extra inputs are not permitted' },
      { field: 'from_date', message: 'Input should be a valid datetime, such as 2026-01-01T00:00:00Z' },
      { field: 'to_date', message: 'Field required' },
      { field: 'reprocess_behavior', message: "Input should be 'failed', 'completed' or 'none'" },
      { field: 'max_active_runs', message: 'Input should be an integer from 1 to 10000' },
    ]);
    const range = { from_date: '2026-01-01', to_date: '2026-01-05' };
    expect(await errors({ dag_id: 'etl', ...range, dag_run_conf: { n: 0 } })).toEqual([
      { field: 'dag_run_conf.n', message: 'must be >= 1' },
    ]);
    expect(await errors({ dag_id: 'etl', from_date: '2026-01-05', to_date: '2026-01-01' })).toEqual([
      {
        field: 'from_date',
        message:
          'from_date (2026-01-05T00:00:00+00:00) must not be after to_date (2026-01-01T00:00:00+00:00).',
      },
    ]);
    expect(await errors({ dag_id: 'etl', from_date: '2026-02-01', to_date: '2026-03-01' })).toEqual([
      { field: 'from_date', message: 'Backfill cannot be executed for future dates.' },
    ]);
    expect(await errors({ dag_id: 'manual', ...range })).toEqual([
      { field: 'dag_id', message: 'manual has a non-periodic schedule that does not support backfills' },
    ]);
    expect(
      await errors({ dag_id: 'etl', from_date: '2026-01-01T07:00:00Z', to_date: '2026-01-02T05:00:00Z' }),
    ).toEqual([
      {
        field: 'to_date',
        message: 'No runs to create for Dag etl: no scheduled interval has passed in the range',
      },
    ]);
    expect(await createBackfill(backend, { dag_id: 'nope', ...range })).toEqual({
      kind: 'not_found',
      message: 'Could not find dag nope',
    });
    expect(backend.backfills).toEqual([]);
  });

  it('refuses a range of more than 10,000 intervals, and a second backfill while one is running', async () => {
    const backend = setup();
    backend.addDag(
      `dag_id: fast\nschedule: '* * * * *'\nstart_date: 2026-01-01\ntasks:\n  a: { operator: empty }\n`,
    );
    const big = await createBackfill(backend, {
      dag_id: 'fast',
      from_date: '2026-01-01',
      to_date: '2026-01-10',
    });
    expect(big).toEqual({
      kind: 'invalid',
      errors: [
        {
          field: 'to_date',
          message: 'from_date..to_date holds more than 10000 scheduled intervals; backfill a shorter range',
        },
      ],
    });
    await create(backend, { from_date: '2026-01-01', to_date: '2026-01-05' });
    expect(
      await createBackfill(backend, { dag_id: 'etl', from_date: '2026-01-06', to_date: '2026-01-07' }),
    ).toEqual({
      kind: 'conflict',
      message: 'There is already a running backfill for dag etl',
    });
  });
});

describe('pause, unpause and cancel', () => {
  it('a paused backfill starts nothing; unpausing starts what it may', async () => {
    const backend = setup();
    const backfill = await create(backend, {
      from_date: '2026-01-01',
      to_date: '2026-01-05',
      max_active_runs: 1,
    });
    expect(await setBackfillPaused(backend, backfill.id, true)).toMatchObject({
      kind: 'ok',
      backfill: { is_paused: true },
    });
    backend.finish(`backfill__${day(1)}`, 'success');
    await advanceBackfills(backend);
    expect(unfinished(backend)).toEqual([]);
    const resumed = await setBackfillPaused(backend, backfill.id, false);
    expect(resumed).toMatchObject({ kind: 'ok', backfill: { is_paused: false, decided_through: day(2) } });
    expect(unfinished(backend)).toEqual([`backfill__${day(2)}`]);
  });

  it('cancel fails the queued runs, leaves running ones, completes the backfill and starts nothing more', async () => {
    const backend = setup();
    const backfill = await create(backend, {
      from_date: '2026-01-01',
      to_date: '2026-01-09',
      max_active_runs: 3,
    });
    backend.run(`backfill__${day(1)}`)!.state = 'running';
    const cancelled = await cancelBackfill(backend, backfill.id);
    expect(cancelled).toMatchObject({
      kind: 'ok',
      backfill: { is_paused: true, completed_at: '2026-01-20T12:00:00+00:00' },
    });
    expect(backend.cancels).toEqual([`backfill__${day(2)}`, `backfill__${day(3)}`]);
    expect(backend.run(`backfill__${day(1)}`)!.state).toBe('running');
    backend.finish(`backfill__${day(1)}`, 'success');
    await advanceBackfills(backend);
    expect(backend.runs).toHaveLength(3);
    expect(await cancelBackfill(backend, backfill.id)).toEqual({
      kind: 'conflict',
      message: 'Backfill is already completed.',
    });
    expect(await setBackfillPaused(backend, 99, true)).toEqual({
      kind: 'not_found',
      message: 'Could not find backfill with id 99',
    });
  });
});
