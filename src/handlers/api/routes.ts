import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DAG_ID_PATTERN } from '../../dag/schema.ts';
import { type CancelDeps, cancelRun } from './cancel-run.ts';
import { triggerRun } from './run-queue.ts';
import type { ParamError } from '../../dag/params.ts';
import { manualRunRequest, problemBody, triggerRefusal } from './run-request.ts';
import { dagRunView, describeRun } from './run-status.ts';

/**
 * The HTTP API in Airflow's REST shape (stable v1 / v2 run endpoints), behind API Gateway HTTP API
 * with IAM authorisation on every route (serverless.yml):
 *   GET  /dags
 *   POST /dags/{dag_id}/runs                     {dag_run_id?, logical_date?, conf?, note?}
 *   GET  /dags/{dag_id}/runs/{run_id}
 *   POST /dags/{dag_id}/runs/{run_id}/cancel
 * Errors are Airflow's problem documents: {type, title, status, detail} (+ errors[] for 400).
 */
export type ApiResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

const json = (statusCode: number, body: unknown): ApiResponse => ({
  statusCode,
  headers: { 'content-type': statusCode >= 400 ? 'application/problem+json' : 'application/json' },
  body: JSON.stringify(body),
});

const problem = (status: number, detail: string, errors?: ParamError[]): ApiResponse =>
  json(status, problemBody(status, detail, errors));

const bodyText = (event: APIGatewayProxyEventV2): string | undefined =>
  event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;

async function postRun(deps: CancelDeps, dagId: string, event: APIGatewayProxyEventV2): Promise<ApiResponse> {
  const asked = manualRunRequest(dagId, bodyText(event));
  if (!asked.ok) return problem(asked.status, asked.detail, asked.errors);
  const outcome = await triggerRun(deps, asked.request);
  if ('run' in outcome) return json(200, dagRunView(outcome.run));
  const refusal = triggerRefusal(outcome);
  return problem(refusal.status, refusal.detail, refusal.errors);
}

async function listDags(deps: CancelDeps): Promise<ApiResponse> {
  const entries = await deps.bucket.listEntries();
  const dags = entries.map((e) => ({
    dag_id: e.dag_id,
    is_active: e.active,
    is_paused: !e.active,
    fileloc: e.source_key,
    source_sha256: e.source_sha256,
    version: Number(/:(\d+)$/.exec(e.version_arn)?.[1] ?? 0),
    version_arn: e.version_arn,
    schedule: e.schedule,
    schedules: e.schedules.map((s) => ({ name: s.name, expression: s.expression, timezone: s.timezone })),
    max_active_runs: e.max_active_runs,
    updated_at: e.updated_at,
  }));
  return json(200, { dags, total_entries: dags.length });
}

export async function handleApiRequest(
  deps: CancelDeps,
  event: APIGatewayProxyEventV2,
): Promise<ApiResponse> {
  const dagId = event.pathParameters?.dag_id ?? '';
  const runId = event.pathParameters?.run_id ?? '';
  // A dag_id that no DAG file can declare names no DAG; it never reaches a storage key.
  if (event.routeKey !== 'GET /dags' && !DAG_ID_PATTERN.test(dagId))
    return problem(404, `DAG '${dagId}' not found`);
  switch (event.routeKey) {
    case 'GET /dags':
      return listDags(deps);
    case 'POST /dags/{dag_id}/runs':
      return postRun(deps, dagId, event);
    case 'GET /dags/{dag_id}/runs/{run_id}': {
      const run = await deps.store.getRun(dagId, runId);
      const plan = run ? await deps.bucket.getPlan(dagId) : null;
      if (!run || !plan) return problem(404, `DAG run '${runId}' of '${dagId}' not found`);
      return json(200, await describeRun(deps, run, plan));
    }
    case 'POST /dags/{dag_id}/runs/{run_id}/cancel': {
      if (!(await deps.bucket.getEntry(dagId))) {
        return problem(404, `DAG '${dagId}' is not registered`);
      }
      const outcome = await cancelRun(deps, dagId, runId);
      if (outcome.kind === 'not_found') return problem(404, `DAG run '${runId}' of '${dagId}' not found`);
      if (outcome.kind === 'conflict') return problem(409, outcome.message);
      return json(200, { ...dagRunView(outcome.run), cancelled_jobs: outcome.jobs });
    }
    default:
      return problem(404, `no route ${event.routeKey}`);
  }
}
