import { describe, expect, it } from 'vitest';
import { catchupRuns } from '../../src/runs/catchup.ts';
import { latestRunAtOrBefore } from '../../src/semantics/data-intervals.ts';
import { MemoryBackend } from './memory-backend.ts';

/** catchup on a test double of the port (MemoryBackend): it records what reached the host. */

const dag = (extra: string, schedule = "'0 6 * * *'"): string =>
  `dag_id: etl\nschedule: ${schedule}\nstart_date: 2026-01-01\n${extra}tasks:\n  a: { operator: empty }\n`;

const day = (d: number): string => `2026-01-${String(d).padStart(2, '0')}T06:00:00+00:00`;

describe('catchupRuns', () => {
  it('creates the scheduled runs missed since start_date, with the ids a tick gives them', async () => {
    const backend = new MemoryBackend('2026-01-05T12:00:00Z');
    const entry = backend.addDag(dag('catchup: true\n'));
    const result = await catchupRuns(backend, entry, backend.now());
    expect(result).toEqual({
      triggered: [1, 2, 3, 4, 5].map((d) => ({ logical_date: day(d), outcome: 'created' })),
      complete: true,
    });
    expect(backend.runs.map((r) => [r.dag_run_id, r.run_type])).toEqual(
      [1, 2, 3, 4, 5].map((d) => [`scheduled__${day(d)}`, 'scheduled']),
    );
    // Again: nothing new. A tick for the latest interval is the same run as its catchup.
    expect(await catchupRuns(backend, entry, backend.now())).toEqual({ triggered: [], complete: true });
    const tick = latestRunAtOrBefore(entry.plan, backend.now())!;
    expect(
      await backend.triggerRun({ dag_id: 'etl', run_type: 'scheduled', logical_date: tick.logical_date }),
    ).toMatchObject({
      kind: 'existing',
    });
  });

  it('continues after the last scheduled run (an unpause after a pause), within end_date', async () => {
    const backend = new MemoryBackend('2026-01-20T12:00:00Z');
    const entry = backend.addDag(dag('catchup: true\nend_date: 2026-01-12T06:00:00Z\n'));
    backend.addRun('etl', `scheduled__${day(8)}`, day(8), 'success');
    backend.addRun('etl', `manual__${day(15)}`, day(15), 'success', { run_type: 'manual' });
    const result = await catchupRuns(backend, entry, backend.now());
    expect(result.triggered.map((t) => t.logical_date)).toEqual([9, 10, 11, 12].map(day));
  });

  it('does nothing with catchup false (Airflow 3 runs only the latest) or while paused', async () => {
    const off = new MemoryBackend('2026-01-05T12:00:00Z');
    expect(await catchupRuns(off, off.addDag(dag('')), off.now())).toEqual({ triggered: [], complete: true });
    const paused = new MemoryBackend('2026-01-05T12:00:00Z');
    const entry = paused.addDag(dag('catchup: true\n'), true);
    expect(await catchupRuns(paused, entry, paused.now())).toEqual({ triggered: [], complete: true });
    expect([...off.runs, ...paused.runs]).toEqual([]);
  });

  it('takes at most 10,000 intervals a call, oldest first, and the next call goes on', async () => {
    const backend = new MemoryBackend('2026-01-10T00:00:00Z');
    const entry = backend.addDag(dag('catchup: true\n', "'* * * * *'"));
    const first = await catchupRuns(backend, entry, backend.now());
    expect(first.complete).toBe(false);
    expect(first.triggered).toHaveLength(10_000);
    expect(first.triggered[0]!.logical_date).toBe('2026-01-01T00:00:00+00:00');
    const second = await catchupRuns(backend, entry, backend.now());
    expect(second.triggered[0]!.logical_date).toBe('2026-01-07T22:40:00+00:00');
    expect(second.complete).toBe(true);
    expect((await catchupRuns(backend, entry, backend.now())).triggered).toEqual([]);
    expect(backend.runs).toHaveLength(9 * 24 * 60 + 1);
    expect(new Set(backend.runs.map((r) => r.dag_run_id)).size).toBe(backend.runs.length);
  });
});
