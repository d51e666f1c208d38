import type { ApiBackend } from '../runs/api/backend.ts';
import { advanceBackfills } from '../runs/backfill.ts';
import { catchupRuns } from '../runs/catchup.ts';

/**
 * What the Azure deployment's minute timer does besides schedule ticks: the missed runs of every
 * unpaused `catchup: true` DAG (so a registration or an unpause catches up within a minute;
 * idempotent, the tick's own run ids), then the next runs of every unfinished backfill.
 */
export async function catchupAndBackfills(
  backend: ApiBackend,
): Promise<{ caught_up: Array<{ dag_id: string; runs: number }>; backfills: number }> {
  const now = backend.now();
  const caught_up: Array<{ dag_id: string; runs: number }> = [];
  for (const dag of await backend.listDags()) {
    if (!dag.plan.catchup || dag.is_paused) continue;
    const { triggered } = await catchupRuns(backend, dag, now);
    const started = triggered.filter((t) => t.outcome === 'created').length;
    if (started > 0) caught_up.push({ dag_id: dag.dag_id, runs: started });
  }
  return { caught_up, backfills: (await advanceBackfills(backend, null)).length };
}
