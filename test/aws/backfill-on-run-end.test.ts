import { describe, expect, it } from 'vitest';
import { suiteDag } from '../runs/api/api-v2-suite.ts';
import { startAwsHost } from './aws-host.ts';

/**
 * A backfill with max_active_runs 1 advances as its runs end (the run-finished Lambda's hook), not
 * only when someone reads it: the test watches dagRuns only, never the backfill.
 */
describe('backfill on the AWS host', () => {
  it('starts its next run when the previous one ends, until every interval has run', async () => {
    const host = await startAwsHost();
    try {
      const dag = suiteDag(host.flinkUrl).replace(
        'schedule: null',
        "schedule: '0 6 * * *'\nstart_date: 2026-01-01",
      );
      await host.upload('api_suite.yaml', dag);
      const created = await host.request('POST', '/api/v2/backfills', {
        dag_id: 'api_suite',
        from_date: '2026-01-02T00:00:00Z',
        to_date: '2026-01-04T12:00:00Z',
        max_active_runs: 1,
      });
      expect(created.status).toBe(200);
      const runs = async () =>
        (
          (await host.request('GET', '/api/v2/dags/api_suite/dagRuns?order_by=logical_date')).body as {
            dag_runs: Array<{ dag_run_id: string; state: string; run_type: string }>;
          }
        ).dag_runs;
      let seen: Array<{ dag_run_id: string; state: string }> = [];
      let mostUnfinished = 0;
      for (const end = Date.now() + 90_000; Date.now() < end;) {
        seen = await runs();
        mostUnfinished = Math.max(
          mostUnfinished,
          seen.filter((r) => r.state === 'queued' || r.state === 'running').length,
        );
        if (seen.length === 3 && seen.every((r) => r.state === 'success')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(seen.map((r) => [r.dag_run_id, r.state])).toEqual(
        [2, 3, 4].map((d) => [`backfill__2026-01-0${d}T06:00:00+00:00`, 'success']),
      );
      expect(mostUnfinished).toBe(1);
    } finally {
      await host.close();
    }
  }, 120_000);
});
