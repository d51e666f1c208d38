import { z } from 'zod';
import { LOGICAL_DATE_RULE } from './prepare-run.ts';
import { manualRunIdProblem, parseLogicalDate } from './run-ids.ts';
import type { ParamError } from '../dag/params.ts';

/**
 * What the AWS (routes.ts) HTTP API and the API v2 router (src/runs/api/router.ts) share: the trigger request body,
 * Airflow-style problem documents, and the answer to a trigger that started no run. Each API wraps
 * these in its own response envelope.
 */

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
};

/**
 * The largest trigger body, in UTF-8 bytes. The run's execution input carries the conf and the
 * params copied from it, so twice this plus the DAG's defaults stays inside Step Functions' 256 KiB
 * input and DynamoDB's 400 KB item.
 */
export const MAX_REQUEST_BYTES = 100 * 1024;
/** How deep a conf may nest (conf itself is level 1). */
export const MAX_CONF_DEPTH = 32;

/** A problem document: {type, title, status, detail} (+ errors[] for 400). */
export const problemBody = (
  status: number,
  detail: string,
  errors?: ParamError[],
): Record<string, unknown> => ({
  type: 'about:blank',
  title: TITLES[status] ?? 'Error',
  status,
  detail,
  ...(errors ? { errors } : {}),
});

export interface Refusal {
  status: number;
  detail: string;
  errors?: ParamError[];
}

const TriggerBodySchema = z.strictObject({
  dag_run_id: z.string().optional(),
  logical_date: z.string().nullable().optional(),
  conf: z.record(z.string(), z.unknown()).optional(),
  note: z.string().max(1000).nullable().optional(),
  // Airflow's body has these; airless derives the data interval and run_after from the logical date.
  data_interval_start: z.null().optional(),
  data_interval_end: z.null().optional(),
  run_after: z.null().optional(),
});

/** The trigger request body checked, each problem as a field error. */
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

export interface ManualRunRequest {
  dag_id: string;
  run_type: 'manual';
  dag_run_id?: string | undefined;
  logical_date?: string | undefined;
  conf?: Record<string, unknown> | undefined;
  note?: string | undefined;
}

/** Whether a JSON value nests deeper than `limit` levels; walked without recursion. */
function nestsDeeper(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** A manual run request from a POST body's text (no text: `{}`), or the 400 or 413 to answer. */
export function manualRunRequest(
  dagId: string,
  text: string | undefined,
): { ok: true; request: ManualRunRequest } | ({ ok: false } & Refusal) {
  let body: unknown = {};
  if (text && Buffer.byteLength(text, 'utf8') > MAX_REQUEST_BYTES) {
    return {
      ok: false,
      status: 413,
      detail: `the request body is larger than ${MAX_REQUEST_BYTES} bytes`,
    };
  }
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, status: 400, detail: 'the request body is not JSON' };
    }
  }
  const invalid = (errors: ParamError[]) => ({
    ok: false as const,
    status: 400,
    detail: 'the request body is not a valid DAG run request',
    errors,
  });
  const conf = (body as { conf?: unknown } | null)?.conf;
  if (nestsDeeper(conf, MAX_CONF_DEPTH)) {
    return invalid([{ field: 'conf', message: `must not nest deeper than ${MAX_CONF_DEPTH} levels` }]);
  }
  const parsed = parseTriggerBody(body);
  if (!parsed.success) return invalid(parsed.errors);
  const errors: ParamError[] = [];
  const runId = parsed.data.dag_run_id;
  const runIdProblem = runId === undefined ? null : manualRunIdProblem(runId);
  if (runIdProblem !== null) errors.push({ field: 'dag_run_id', message: runIdProblem });
  const asked = parsed.data.logical_date ?? undefined;
  const logicalDate = asked === undefined ? undefined : parseLogicalDate(asked);
  if (logicalDate === null) errors.push({ field: 'logical_date', message: LOGICAL_DATE_RULE });
  if (errors.length > 0) return invalid(errors);
  return {
    ok: true,
    request: {
      dag_id: dagId,
      run_type: 'manual',
      dag_run_id: runId,
      logical_date: logicalDate ?? undefined,
      conf: parsed.data.conf,
      note: parsed.data.note ?? undefined,
    },
  };
}

/** The answer to a trigger outcome that started no run. */
export function triggerRefusal(
  outcome:
    | { kind: 'not_found'; message: string }
    | { kind: 'invalid'; errors: ParamError[] }
    | { kind: 'conflict'; message: string },
): Refusal {
  switch (outcome.kind) {
    case 'not_found':
      return { status: 404, detail: outcome.message };
    case 'invalid':
      return { status: 400, detail: 'conf does not satisfy the DAG params', errors: outcome.errors };
    case 'conflict':
      return { status: 409, detail: outcome.message };
  }
}
