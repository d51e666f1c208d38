import { DAG_ID_PATTERN } from '../dag/schema.ts';
import { manualRunRequest, problemBody, triggerRefusal } from '../handlers/api/run-request.ts';
import type { ParamError } from '../dag/params.ts';
import { cancelDurableRun, describeDurableRun, triggerDurableRun, type RunsDeps } from './runs-api.ts';

/**
 * The HTTP API of the Azure deployment: the same routes and shapes as the AWS one (Airflow's REST
 * run endpoints, errors as problem documents), served by Functions HTTP triggers:
 *   GET  /dags
 *   POST /dags/{dag_id}/runs                     {dag_run_id?, logical_date?, conf?, note?}
 *   GET  /dags/{dag_id}/runs/{run_id}
 *   POST /dags/{dag_id}/runs/{run_id}/cancel
 */
export interface ApiAnswer {
  status: number;
  headers: Record<string, string>;
  jsonBody: unknown;
}

const json = (status: number, body: unknown): ApiAnswer => ({
  status,
  headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' },
  jsonBody: body,
});

const problem = (status: number, detail: string, errors?: ParamError[]): ApiAnswer =>
  json(status, problemBody(status, detail, errors));

export async function listDags(deps: RunsDeps): Promise<ApiAnswer> {
  const dags = (await deps.store.listLive()).map((e) => ({
    dag_id: e.dag_id,
    is_active: true,
    is_paused: e.is_paused === true,
    fileloc: e.source_blob,
    source_sha256: e.source_sha256,
    schedule: e.schedule.kind === 'none' ? null : e.schedule.source,
    timezone: e.timezone,
    max_active_runs: e.max_active_runs,
    updated_at: e.updated_at,
  }));
  return json(200, { dags, total_entries: dags.length });
}

/** A dag_id that no DAG file can declare names no DAG; it never reaches a blob name. */
const unknownDag = (dagId: string): ApiAnswer | null =>
  DAG_ID_PATTERN.test(dagId) ? null : problem(404, `DAG '${dagId}' not found`);

export async function postRun(deps: RunsDeps, dagId: string, bodyText: string): Promise<ApiAnswer> {
  const unknown = unknownDag(dagId);
  if (unknown) return unknown;
  const asked = manualRunRequest(dagId, bodyText.trim() === '' ? undefined : bodyText);
  if (!asked.ok) return problem(asked.status, asked.detail, asked.errors);
  const outcome = await triggerDurableRun(deps, asked.request);
  if ('view' in outcome) return json(200, outcome.view);
  const refusal = triggerRefusal(outcome);
  return problem(refusal.status, refusal.detail, refusal.errors);
}

export async function getRun(deps: RunsDeps, dagId: string, runId: string): Promise<ApiAnswer> {
  const unknown = unknownDag(dagId);
  if (unknown) return unknown;
  const view = await describeDurableRun(deps, dagId, runId);
  return view === null ? problem(404, `DAG run '${runId}' of '${dagId}' not found`) : json(200, view);
}

export async function cancelRun(deps: RunsDeps, dagId: string, runId: string): Promise<ApiAnswer> {
  const unknown = unknownDag(dagId);
  if (unknown) return unknown;
  if ((await deps.store.getLive(dagId)) === null) return problem(404, `DAG '${dagId}' is not registered`);
  const outcome = await cancelDurableRun(deps, dagId, runId);
  if (outcome.kind === 'not_found') return problem(404, `DAG run '${runId}' of '${dagId}' not found`);
  if (outcome.kind === 'conflict') return problem(409, outcome.message);
  return json(200, { ...outcome.view, cancelled_jobs: outcome.cancelled_jobs });
}
