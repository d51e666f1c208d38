import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { DAG_ID_PATTERN } from '../../dag/schema.ts';
import { type CancelDeps, cancelRun } from './cancel-run.ts';
import { triggerRun } from './run-queue.ts';
import type { ParamError } from './run-params.ts';
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

const TITLES: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict' };

const json = (statusCode: number, body: unknown): ApiResponse => ({
  statusCode,
  headers: { 'content-type': statusCode >= 400 ? 'application/problem+json' : 'application/json' },
  body: JSON.stringify(body),
});

const problem = (status: number, detail: string, errors?: ParamError[]): ApiResponse =>
  json(status, {
    type: `about:blank`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...(errors ? { errors } : {}),
  });

const TriggerBodySchema = z.strictObject({
  dag_run_id: z
    .string()
    .min(1)
    .max(250)
    .regex(/^[^/\s]+$/, 'must not contain slashes or whitespace')
    .optional(),
  logical_date: z.string().nullable().optional(),
  conf: z.record(z.string(), z.unknown()).optional(),
  note: z.string().max(1000).nullable().optional(),
});

/** The trigger request body checked, each problem as a field error (shared with the Azure API). */
export function parseTriggerBody(
  value: unknown,
): { success: true; data: z.infer<typeof TriggerBodySchema> } | { success: false; errors: ParamError[] } {
  const parsed = TriggerBodySchema.safeParse(value);
  if (parsed.success) return { success: true, data: parsed.data };
  const errors = parsed.error.issues.map((i) => ({
    field: i.path.join('.') || String((i as { keys?: string[] }).keys ?? '(body)'),
    message: i.message,
  }));
  return { success: false, errors };
}

function readBody(event: APIGatewayProxyEventV2): { ok: true; value: unknown } | { ok: false } {
  if (!event.body) return { ok: true, value: {} };
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

async function postRun(deps: CancelDeps, dagId: string, event: APIGatewayProxyEventV2): Promise<ApiResponse> {
  const body = readBody(event);
  if (!body.ok) return problem(400, 'the request body is not JSON');
  const parsed = parseTriggerBody(body.value);
  if (!parsed.success) {
    return problem(400, 'the request body is not a valid DAG run request', parsed.errors);
  }
  const outcome = await triggerRun(deps, {
    dag_id: dagId,
    run_type: 'manual',
    dag_run_id: parsed.data.dag_run_id,
    logical_date: parsed.data.logical_date ?? undefined,
    conf: parsed.data.conf,
  });
  switch (outcome.kind) {
    case 'not_found':
      return problem(404, outcome.message);
    case 'invalid':
      return problem(400, 'conf does not satisfy the DAG params', outcome.errors);
    case 'conflict':
      return problem(409, outcome.message);
    default:
      return json(200, dagRunView(outcome.run));
  }
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
