import { fireTimes, MAX_INTERVALS } from '../semantics/data-intervals.ts';
import type { ApiBackend, DagEntry, TriggerOutcome } from './api/backend.ts';

export interface CatchupResult {
  /** The scheduled runs asked for, oldest first, with what triggerRun answered. */
  triggered: Array<{ logical_date: string; outcome: TriggerOutcome['kind'] }>;
  /** False when more than MAX_INTERVALS were missed: call again to continue from the last one. */
  complete: boolean;
}

/**
 * `catchup: true`, as Airflow's scheduler with CronTriggerTimetable/DeltaTriggerTimetable: every
 * scheduled interval missed since the last scheduled run (or since start_date, when there is none)
 * up to `now`, within start_date and end_date, gets its run, with run type `scheduled` and the
 * tick's own run id `scheduled__<logical_date>`, so a tick and a catchup for the same time are one
 * run and calling this again changes nothing. At most MAX_INTERVALS per call, oldest first. With
 * `catchup: false` (Airflow 3's default) or a paused DAG: nothing. Hosts call it when a DAG is
 * registered or unpaused; the runs queue behind the DAG's max_active_runs as any other.
 */
export async function catchupRuns(backend: ApiBackend, dag: DagEntry, now: Date): Promise<CatchupResult> {
  if (!dag.plan.catchup || dag.is_paused) return { triggered: [], complete: true };
  let last: number | null = null;
  for (const run of await backend.listRuns(dag.dag_id)) {
    if (run.run_type !== 'scheduled' || run.logical_date === null) continue;
    const at = Date.parse(run.logical_date);
    if (last === null || at > last) last = at;
  }
  // Without a start_date (validation requires one with catchup) there is nothing to count from.
  if (last === null && (dag.plan.start_date ?? null) === null) return { triggered: [], complete: true };
  const from = last === null ? new Date(Date.parse(dag.plan.start_date!)) : new Date(last + 1);
  const { logical_dates, complete } = fireTimes(dag.plan, from, now, { max: MAX_INTERVALS });
  const triggered: CatchupResult['triggered'] = [];
  for (const logicalDate of logical_dates) {
    const outcome = await backend.triggerRun({
      dag_id: dag.dag_id,
      run_type: 'scheduled',
      logical_date: logicalDate,
    });
    triggered.push({ logical_date: logicalDate, outcome: outcome.kind });
    if (outcome.kind === 'not_found') break;
  }
  return { triggered, complete };
}
