import { z } from 'zod';
import type { ParamError } from '../../dag/params.ts';

/**
 * What the AWS (routes.ts) and Azure (durable/http-api.ts) HTTP APIs share: the trigger request body,
 * Airflow-style problem documents, and the answer to a trigger that started no run. Each API wraps
 * these in its own response envelope.
 */

const TITLES: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict' };

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
}

/** A manual run request from a POST body's text (no text: `{}`), or the 400 to answer. */
export function manualRunRequest(
  dagId: string,
  text: string | undefined,
): { ok: true; request: ManualRunRequest } | ({ ok: false } & Refusal) {
  let body: unknown = {};
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, status: 400, detail: 'the request body is not JSON' };
    }
  }
  const parsed = parseTriggerBody(body);
  if (!parsed.success) {
    return {
      ok: false,
      status: 400,
      detail: 'the request body is not a valid DAG run request',
      errors: parsed.errors,
    };
  }
  return {
    ok: true,
    request: {
      dag_id: dagId,
      run_type: 'manual',
      dag_run_id: parsed.data.dag_run_id,
      logical_date: parsed.data.logical_date ?? undefined,
      conf: parsed.data.conf,
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
