import type { ParamIR } from '../dag/params.ts';
import { airflowInstant, defaultRunId, parseLogicalDate, requestHash } from './run-ids.ts';
import { type ParamError, resolveRunParams } from '../dag/params.ts';
import type { RunType } from './run-store.ts';

/** No zod here: the schedule and object-trigger Lambdas load this at cold start. */
export const LOGICAL_DATE_RULE = 'must be an RFC 3339 date-time with an offset, such as 2026-01-01T00:00:00Z';

export interface RunAsked {
  run_type: RunType;
  dag_run_id?: string | undefined;
  logical_date?: string | undefined;
  conf?: Record<string, unknown> | undefined;
}

/** What a run is, worked out from a trigger the same way on both clouds. */
export interface PreparedRun {
  run_id: string;
  logical_date: string;
  conf: Record<string, unknown>;
  params: Record<string, unknown>;
  request_hash: string;
}

/**
 * The run a trigger asks for: logical_date checked strictly (now when absent), conf checked against
 * the params (errors named `conf.<param>`), the run id (Airflow's `<run_type>__<logical_date>` when
 * absent) and the hash that tells the same request from another under the same run id.
 */
export function prepareRun(
  params: Record<string, ParamIR>,
  asked: RunAsked,
  now: Date,
): { ok: true; run: PreparedRun } | { ok: false; errors: ParamError[] } {
  const logicalDate =
    asked.logical_date === undefined ? airflowInstant(now) : parseLogicalDate(asked.logical_date);
  if (logicalDate === null)
    return { ok: false, errors: [{ field: 'logical_date', message: LOGICAL_DATE_RULE }] };
  const conf = asked.conf ?? {};
  const resolved = resolveRunParams(params, conf);
  if (!resolved.ok) {
    return { ok: false, errors: resolved.errors.map((e) => ({ ...e, field: `conf.${e.field}` })) };
  }
  return {
    ok: true,
    run: {
      run_id: asked.dag_run_id ?? defaultRunId(asked.run_type, logicalDate),
      logical_date: logicalDate,
      conf,
      params: resolved.params,
      request_hash: requestHash({
        conf,
        logical_date: asked.logical_date === undefined ? null : logicalDate,
      }),
    },
  };
}
