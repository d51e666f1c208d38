import { Cron } from 'croner';
import type { ScheduleIR } from '../dag/schedule.ts';
import { airflowInstant } from '../runs/run-ids.ts';
import type { LiveEntry } from './plan-store.ts';
import { triggerDurableRun, type RunsDeps, type TriggerOutcome } from './runs-api.ts';

/** The timer trigger fires every minute; a fire time older than this is a missed one (no catch-up). */
export const TICK_WINDOW_S = 120;

/** The latest fire time of a schedule at or before `now`, in the DAG's time zone. */
export function latestFireTime(schedule: ScheduleIR, timezone: string, now: Date): Date | null {
  if (schedule.kind === 'cron') {
    const [prev] = new Cron(schedule.cron, { timezone, paused: true }).previousRuns(1, now);
    return prev ?? null;
  }
  if (schedule.kind === 'rate') {
    const every = schedule.every_s * 1000;
    return new Date(Math.floor(now.getTime() / every) * every);
  }
  return null;
}

/**
 * One tick of the schedule timer: starts the run each registered schedule owes now, with instance
 * id `dag_id@logical_date`, so a repeated or overlapping tick finds the run it already started.
 * Fire times missed for longer than the tick window are not caught up (catchup off).
 */
export async function onScheduleTick(
  deps: RunsDeps,
  entries: LiveEntry[],
): Promise<Array<{ dag_id: string; logical_date: string; outcome: TriggerOutcome['kind'] }>> {
  const now = deps.now();
  const started: Array<{ dag_id: string; logical_date: string; outcome: TriggerOutcome['kind'] }> = [];
  for (const entry of entries) {
    if (entry.is_paused === true) continue;
    const fire = latestFireTime(entry.schedule, entry.timezone, now);
    if (fire === null || now.getTime() - fire.getTime() >= TICK_WINDOW_S * 1000) continue;
    const logical_date = airflowInstant(fire);
    const outcome = await triggerDurableRun(deps, {
      dag_id: entry.dag_id,
      run_type: 'scheduled',
      logical_date,
    });
    started.push({ dag_id: entry.dag_id, logical_date, outcome: outcome.kind });
  }
  return started;
}
