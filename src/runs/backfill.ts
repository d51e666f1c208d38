import type { ParamError } from '../dag/params.ts';
import { resolveRunParams } from '../dag/params.ts';
import { airflowInstant, dagDateInstant, parseDagDate } from '../dag/zoned-time.ts';
import { fireTimes, isPeriodic, MAX_INTERVALS } from '../semantics/data-intervals.ts';
import type { ApiBackend, BackfillRecord, DagEntry, RunEntry } from './api/backend.ts';

/**
 * Airflow 3's backfills (models/backfill.py, routes/public/backfills.py) over the ApiBackend port:
 * one run per scheduled interval in [from_date, to_date] whose tick is already past, run type
 * `backfill`, run id `backfill__<logical_date>`, `backfill_id` on each run.
 *
 * reprocess_behavior, for an interval that already has a run (the latest at that logical date):
 * `none` skips it; `failed` re-runs it (every task cleared, through backend.rerun) when it failed;
 * `completed` re-runs it when it failed or succeeded. A run still queued or running is always
 * skipped, whatever the behaviour, and so is one this backfill started itself.
 *
 * max_active_runs (the backfill's own, default 10) IS enforced, differently from Airflow: Airflow
 * creates every run at once, queued, and its scheduler starts at most max_active_runs of them.
 * The port has no "created but held" run, so here the runs are started lazily: an interval is
 * decided (run started, re-run, or skipped) only while fewer than max_active_runs of the decided
 * intervals have a run queued or running. `advanceBackfills`, which hosts call when a run of the
 * DAG ends, decides the next ones; `decided_through` on the record is how far it has got. Each run
 * then also queues behind the DAG's own max_active_runs in the host's queue (Airflow applies the
 * two limits independently). A decision is taken when the interval's turn comes, so it sees the
 * states of runs at that time, not at creation. Two hosts advancing the same backfill at once can
 * exceed the limit by one run each; every step is idempotent, so none is started twice.
 */

export const REPROCESS_BEHAVIORS = ['none', 'failed', 'completed'] as const;
export type ReprocessBehavior = (typeof REPROCESS_BEHAVIORS)[number];

/** Airflow's BackfillPostBody default. */
export const DEFAULT_BACKFILL_MAX_ACTIVE_RUNS = 10;

/** Airflow's BackfillPostBody, checked. */
export interface BackfillRequest {
  dag_id: string;
  from_date: string;
  to_date: string;
  run_backwards: boolean;
  dag_run_conf: Record<string, unknown>;
  reprocess_behavior: ReprocessBehavior;
  max_active_runs: number;
}

/** What the router answers: 200, 404, 409, or 422 with one entry per field (Airflow's codes). */
export type BackfillOutcome =
  | { kind: 'created'; backfill: BackfillRecord }
  | { kind: 'not_found'; message: string }
  | { kind: 'conflict'; message: string }
  | { kind: 'invalid'; errors: ParamError[] };

export type DryRunOutcome =
  | { kind: 'dry_run'; backfills: Array<{ logical_date: string }>; total_entries: number }
  | { kind: 'not_found'; message: string }
  | { kind: 'invalid'; errors: ParamError[] };

const FIELDS = new Set([
  'dag_id',
  'from_date',
  'to_date',
  'run_backwards',
  'dag_run_conf',
  'reprocess_behavior',
  'max_active_runs',
  'run_on_latest_version',
]);

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** A from_date/to_date: a date-time (an offset, or none meaning UTC, as Airflow coerces) or a date. */
function instantField(body: Record<string, unknown>, field: string, errors: ParamError[]): string | null {
  const value = body[field];
  if (value === undefined) {
    errors.push({ field, message: 'Field required' });
    return null;
  }
  const parsed = typeof value === 'string' ? parseDagDate(value) : null;
  if (parsed === null || parsed.kind === 'invalid') {
    errors.push({ field, message: 'Input should be a valid datetime, such as 2026-01-01T00:00:00Z' });
    return null;
  }
  return airflowInstant(new Date(dagDateInstant(parsed, 'UTC')));
}

/** Reads Airflow's BackfillPostBody: strict (unknown keys refused), with Airflow's defaults. */
export function parseBackfillBody(
  body: unknown,
): { ok: true; request: BackfillRequest } | { ok: false; errors: ParamError[] } {
  if (!isObject(body))
    return { ok: false, errors: [{ field: '', message: 'Input should be a valid dictionary' }] };
  const errors: ParamError[] = [];
  for (const key of Object.keys(body)) {
    if (!FIELDS.has(key)) errors.push({ field: key, message: 'Extra inputs are not permitted' });
  }
  if (typeof body.dag_id !== 'string') {
    errors.push({
      field: 'dag_id',
      message: body.dag_id === undefined ? 'Field required' : 'Input should be a valid string',
    });
  }
  const from = instantField(body, 'from_date', errors);
  const to = instantField(body, 'to_date', errors);
  const backwards = body.run_backwards ?? false;
  if (typeof backwards !== 'boolean')
    errors.push({ field: 'run_backwards', message: 'Input should be a valid boolean' });
  const conf = body.dag_run_conf ?? {};
  if (!isObject(conf)) errors.push({ field: 'dag_run_conf', message: 'Input should be a valid dictionary' });
  const behaviour = body.reprocess_behavior ?? 'none';
  if (!(REPROCESS_BEHAVIORS as readonly unknown[]).includes(behaviour)) {
    errors.push({ field: 'reprocess_behavior', message: "Input should be 'failed', 'completed' or 'none'" });
  }
  const maxActive = body.max_active_runs ?? DEFAULT_BACKFILL_MAX_ACTIVE_RUNS;
  if (
    typeof maxActive !== 'number' ||
    !Number.isInteger(maxActive) ||
    maxActive < 1 ||
    maxActive > MAX_INTERVALS
  ) {
    errors.push({
      field: 'max_active_runs',
      message: `Input should be an integer from 1 to ${MAX_INTERVALS}`,
    });
  }
  // Runs started here use the live version, re-runs keep their own: there is nothing to choose.
  if (body.run_on_latest_version !== undefined && body.run_on_latest_version !== null) {
    errors.push({ field: 'run_on_latest_version', message: 'is not supported by airless (leave it out)' });
  }
  if (errors.length > 0 || from === null || to === null) return { ok: false, errors };
  return {
    ok: true,
    request: {
      dag_id: body.dag_id as string,
      from_date: from,
      to_date: to,
      run_backwards: backwards as boolean,
      dag_run_conf: conf as Record<string, unknown>,
      reprocess_behavior: behaviour as ReprocessBehavior,
      max_active_runs: maxActive as number,
    },
  };
}

/**
 * The backfill's intervals in its order: fire times of the DAG's schedule in [from, to] (Airflow's
 * backfill ignores the DAG's start_date and end_date), only those before `now`, backwards when asked.
 */
function backfillIntervals(
  dag: DagEntry,
  from: string,
  to: string,
  backwards: boolean,
  now: Date,
): { ok: true; logical_dates: string[] } | { ok: false; errors: ParamError[] } {
  const result = fireTimes(dag.plan, new Date(from), new Date(to), { withinDagDates: false });
  if (!result.complete) {
    return {
      ok: false,
      errors: [
        {
          field: 'to_date',
          message: `from_date..to_date holds more than ${MAX_INTERVALS} scheduled intervals; backfill a shorter range`,
        },
      ],
    };
  }
  const past = result.logical_dates.filter((d) => Date.parse(d) < now.getTime());
  return { ok: true, logical_dates: backwards ? past.reverse() : past };
}

/** Airflow's checks before a backfill or its dry run (_validate_backfill_params and the route's). */
function checkRequest(
  dag: DagEntry,
  request: BackfillRequest,
  now: Date,
): { ok: true; logical_dates: string[] } | { ok: false; errors: ParamError[] } {
  if (!isPeriodic(dag.plan.schedule)) {
    return {
      ok: false,
      errors: [
        {
          field: 'dag_id',
          message: `${dag.dag_id} has a non-periodic schedule that does not support backfills`,
        },
      ],
    };
  }
  const errors: ParamError[] = [];
  const [from, to] = [Date.parse(request.from_date), Date.parse(request.to_date)];
  if (from > to) {
    errors.push({
      field: 'from_date',
      message: `from_date (${request.from_date}) must not be after to_date (${request.to_date}).`,
    });
  } else if (from >= now.getTime() && to >= now.getTime()) {
    errors.push({ field: 'from_date', message: 'Backfill cannot be executed for future dates.' });
  }
  const params = resolveRunParams(dag.plan.params, request.dag_run_conf);
  if (!params.ok) errors.push(...params.errors.map((e) => ({ ...e, field: `dag_run_conf.${e.field}` })));
  if (errors.length > 0) return { ok: false, errors };
  const intervals = backfillIntervals(dag, request.from_date, request.to_date, request.run_backwards, now);
  if (intervals.ok && intervals.logical_dates.length === 0) {
    return {
      ok: false,
      errors: [
        {
          field: 'to_date',
          message: `No runs to create for Dag ${dag.dag_id}: no scheduled interval has passed in the range`,
        },
      ],
    };
  }
  return intervals;
}

type Decision =
  | { kind: 'create' }
  | { kind: 'rerun'; run: RunEntry }
  | { kind: 'skip'; reason: 'in flight' | 'already exists' };

const isFinished = (run: RunEntry): boolean => run.state === 'success' || run.state === 'failed';

/** Airflow's _get_dag_run_no_create_reason, and this backfill's own runs are never redone. */
function decide(
  latest: RunEntry | undefined,
  behaviour: ReprocessBehavior,
  backfillId: number | null,
): Decision {
  if (latest === undefined) return { kind: 'create' };
  if (!isFinished(latest)) return { kind: 'skip', reason: 'in flight' };
  if (backfillId !== null && latest.backfill_id === backfillId)
    return { kind: 'skip', reason: 'already exists' };
  if (behaviour === 'none') return { kind: 'skip', reason: 'already exists' };
  if (behaviour === 'failed' && latest.state !== 'failed') return { kind: 'skip', reason: 'already exists' };
  return { kind: 'rerun', run: latest };
}

/** Per logical date, the latest run (Airflow orders by start_date, newest first, unstarted last). */
function latestRuns(runs: RunEntry[]): Map<string, RunEntry> {
  const rank = (r: RunEntry): number => (r.start_date === null ? -Infinity : Date.parse(r.start_date));
  const latest = new Map<string, RunEntry>();
  for (const run of runs) {
    if (run.logical_date === null) continue;
    const key = airflowInstant(new Date(run.logical_date));
    const seen = latest.get(key);
    if (seen === undefined || rank(run) > rank(seen)) latest.set(key, run);
  }
  return latest;
}

/** POST /api/v2/backfills/dry_run: the logical dates a backfill would run now (created or re-run). */
export async function dryRunBackfill(backend: ApiBackend, body: unknown): Promise<DryRunOutcome> {
  const parsed = parseBackfillBody(body);
  if (!parsed.ok) return { kind: 'invalid', errors: parsed.errors };
  const request = parsed.request;
  const dag = await backend.getDag(request.dag_id);
  if (dag === null) return { kind: 'not_found', message: `Could not find dag ${request.dag_id}` };
  const checked = checkRequest(dag, request, backend.now());
  if (!checked.ok) return { kind: 'invalid', errors: checked.errors };
  const latest = latestRuns(await backend.listRuns(dag.dag_id));
  const backfills = checked.logical_dates
    .filter((d) => decide(latest.get(d), request.reprocess_behavior, null).kind !== 'skip')
    .map((logical_date) => ({ logical_date }));
  return { kind: 'dry_run', backfills, total_entries: backfills.length };
}

/**
 * POST /api/v2/backfills: records the backfill and starts its first runs (up to its
 * max_active_runs); advanceBackfills starts the rest as runs end. One unfinished backfill per DAG.
 */
export async function createBackfill(backend: ApiBackend, body: unknown): Promise<BackfillOutcome> {
  const parsed = parseBackfillBody(body);
  if (!parsed.ok) return { kind: 'invalid', errors: parsed.errors };
  const request = parsed.request;
  const dag = await backend.getDag(request.dag_id);
  if (dag === null) return { kind: 'not_found', message: `Could not find dag ${request.dag_id}` };
  const active = (await backend.listBackfills(dag.dag_id)).some((b) => b.completed_at === null);
  if (active)
    return { kind: 'conflict', message: `There is already a running backfill for dag ${dag.dag_id}` };
  const now = backend.now();
  const checked = checkRequest(dag, request, now);
  if (!checked.ok) return { kind: 'invalid', errors: checked.errors };
  const at = airflowInstant(now);
  const record = await backend.createBackfill({
    dag_id: dag.dag_id,
    from_date: request.from_date,
    to_date: request.to_date,
    run_backwards: request.run_backwards,
    dag_run_conf: request.dag_run_conf,
    reprocess_behavior: request.reprocess_behavior,
    max_active_runs: request.max_active_runs,
    is_paused: false,
    created_at: at,
    completed_at: null,
    updated_at: at,
    decided_through: null,
  });
  return { kind: 'created', backfill: await advanceBackfill(backend, record) };
}

/**
 * Starts what a backfill may start now: decides its next intervals in order while fewer than its
 * max_active_runs decided intervals have a run queued or running, and marks it completed once every
 * interval is decided and none of their runs is queued or running. Paused or completed: only reads.
 */
export async function advanceBackfill(
  backend: ApiBackend,
  backfill: BackfillRecord,
): Promise<BackfillRecord> {
  if (backfill.completed_at !== null) return backfill;
  const dag = await backend.getDag(backfill.dag_id);
  // The list as it was when the backfill was made: the intervals already past at created_at.
  const found =
    dag === null || !isPeriodic(dag.plan.schedule)
      ? null
      : backfillIntervals(
          dag,
          backfill.from_date,
          backfill.to_date,
          backfill.run_backwards,
          new Date(backfill.created_at),
        );
  const intervals = found?.ok === true ? found.logical_dates : [];
  const runs = await backend.listRuns(backfill.dag_id);
  const latest = latestRuns(runs);
  const ahead = (d: string): boolean =>
    backfill.decided_through === null ||
    (backfill.run_backwards
      ? Date.parse(d) < Date.parse(backfill.decided_through)
      : Date.parse(d) > Date.parse(backfill.decided_through));
  const decided = intervals.filter((d) => !ahead(d));
  const inFlight = (d: string): boolean => {
    const run = latest.get(d);
    return run !== undefined && !isFinished(run);
  };
  let active = decided.filter(inFlight).length;
  let through = backfill.decided_through;
  const remaining = intervals.filter(ahead);
  let index = 0;
  if (dag !== null && !backfill.is_paused) {
    for (; index < remaining.length && active < backfill.max_active_runs; index++) {
      const logicalDate = remaining[index]!;
      const decision = decide(latest.get(logicalDate), backfill.reprocess_behavior, backfill.id);
      if (decision.kind === 'create') {
        const outcome = await backend.triggerRun({
          dag_id: backfill.dag_id,
          run_type: 'backfill',
          dag_run_id: `backfill__${logicalDate}`,
          logical_date: logicalDate,
          conf: backfill.dag_run_conf,
          backfill_id: backfill.id,
        });
        if (outcome.kind === 'created' || outcome.kind === 'existing') {
          if (!isFinished(outcome.run)) active++;
        } else if (outcome.kind === 'not_found') {
          break;
        }
        // invalid (the conf no longer fits a new version's params) or conflict: the interval is skipped.
      } else if (decision.kind === 'rerun') {
        const tasks = await backend.taskInstances(backfill.dag_id, decision.run.dag_run_id);
        const cleared = (tasks ?? []).map((t) => t.task_id);
        const outcome = await backend.rerun(backfill.dag_id, decision.run.dag_run_id, { cleared });
        if (outcome.kind === 'rerun') active++;
      }
      through = logicalDate;
    }
  }
  const allDecided = index >= remaining.length || dag === null;
  const now = airflowInstant(backend.now());
  const updated: BackfillRecord = {
    ...backfill,
    decided_through: through,
    completed_at: allDecided && active === 0 ? now : null,
  };
  if (updated.decided_through === backfill.decided_through && updated.completed_at === null) return backfill;
  updated.updated_at = now;
  await backend.updateBackfill(updated);
  return updated;
}

/**
 * Hosts call this when a run ends (with its dag_id) or on a timer (null: every DAG): it advances
 * each unfinished backfill and marks finished ones completed. Returns the backfills it looked at.
 */
export async function advanceBackfills(
  backend: ApiBackend,
  dagId: string | null = null,
): Promise<BackfillRecord[]> {
  const open = (await backend.listBackfills(dagId)).filter((b) => b.completed_at === null);
  const out: BackfillRecord[] = [];
  for (const backfill of open) out.push(await advanceBackfill(backend, backfill));
  return out;
}

export type BackfillChangeOutcome =
  | { kind: 'ok'; backfill: BackfillRecord }
  | { kind: 'not_found'; message: string }
  | { kind: 'conflict'; message: string };

async function openBackfill(
  backend: ApiBackend,
  id: number,
): Promise<{ kind: 'open'; backfill: BackfillRecord } | Exclude<BackfillChangeOutcome, { kind: 'ok' }>> {
  const backfill = await backend.getBackfill(id);
  if (backfill === null) return { kind: 'not_found', message: `Could not find backfill with id ${id}` };
  if (backfill.completed_at !== null) return { kind: 'conflict', message: 'Backfill is already completed.' };
  return { kind: 'open', backfill };
}

/** PUT /api/v2/backfills/{id}/pause and /unpause: a paused backfill starts no new run. */
export async function setBackfillPaused(
  backend: ApiBackend,
  id: number,
  paused: boolean,
): Promise<BackfillChangeOutcome> {
  const found = await openBackfill(backend, id);
  if (found.kind !== 'open') return found;
  if (found.backfill.is_paused === paused) return { kind: 'ok', backfill: found.backfill };
  const updated = { ...found.backfill, is_paused: paused, updated_at: airflowInstant(backend.now()) };
  await backend.updateBackfill(updated);
  return { kind: 'ok', backfill: paused ? updated : await advanceBackfill(backend, updated) };
}

/**
 * PUT /api/v2/backfills/{id}/cancel, as Airflow: the backfill is paused so it starts nothing more,
 * its runs still queued are failed (through cancelRun), running ones finish, and it is completed.
 * Runs it re-ran (reprocess) keep their own backfill_id, so a queued re-run is left to run.
 */
export async function cancelBackfill(backend: ApiBackend, id: number): Promise<BackfillChangeOutcome> {
  const found = await openBackfill(backend, id);
  if (found.kind !== 'open') return found;
  const paused = { ...found.backfill, is_paused: true, updated_at: airflowInstant(backend.now()) };
  if (!found.backfill.is_paused) await backend.updateBackfill(paused);
  const runs = await backend.listRuns(paused.dag_id);
  for (const run of runs) {
    if (run.backfill_id === id && run.state === 'queued') await backend.cancelRun(run.dag_id, run.dag_run_id);
  }
  const now = airflowInstant(backend.now());
  const completed = { ...paused, completed_at: now, updated_at: now };
  await backend.updateBackfill(completed);
  return { kind: 'ok', backfill: completed };
}
