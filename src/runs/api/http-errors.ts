import type { ParamError } from '../../dag/params.ts';

/**
 * Airflow's REST API v2 error bodies (FastAPI): `{detail: "..."}` for an HTTPException, and for a
 * request that fails validation 422 with `{detail: [{type, loc, msg}]}`, one entry per field, the
 * field's path in `loc` (`["body", "conf", "<param>"]`), so a form shows each error at its field.
 */
export interface ApiReply {
  status: number;
  body: unknown;
}

export const ok = (body: unknown, status = 200): ApiReply => ({ status, body });

export const fail = (status: number, detail: string): ApiReply => ({ status, body: { detail } });

export const notFound = (detail: string): ApiReply => fail(404, detail);

export function invalidFields(errors: ParamError[], where: 'body' | 'query' = 'body'): ApiReply {
  return {
    status: 422,
    body: {
      detail: errors.map((e) => ({
        type: 'value_error',
        loc: [where, ...e.field.split('.').filter((p) => p !== '')],
        msg: e.message,
      })),
    },
  };
}
