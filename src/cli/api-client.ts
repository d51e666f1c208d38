import { UsageError } from './usage.ts';

/**
 * The CLI's client of a running airless API (Airflow's REST API v2): `airless standalone` on this
 * machine by default. The token, when the API wants one, comes from --token or AIRLESS_API_TOKEN.
 */
export interface ApiTarget {
  base: string;
  token: string | undefined;
}

export function apiTarget(api: string, token: string | undefined): ApiTarget {
  let url: URL;
  try {
    url = new URL(api);
  } catch {
    throw new UsageError(`--api: not a URL: ${api}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--api: not http(s): ${api}`);
  return { base: url.href.replace(/\/$/, ''), token: token ?? process.env.AIRLESS_API_TOKEN };
}

export async function callApi(
  target: ApiTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  let response: Response;
  try {
    response = await fetch(`${target.base}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new UsageError(
      `cannot reach the airless API at ${target.base} (${(error as Error).cause ?? (error as Error).message}); ` +
        'start one with `airless standalone`, or name it with --api',
    );
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    parsed = { detail: text.slice(0, 500) };
  }
  return { status: response.status, body: (parsed ?? {}) as Record<string, unknown> };
}

/** An API error answer as lines: the detail, or one line per field of a 422. */
export function apiErrorLines(answer: { status: number; body: Record<string, unknown> }): string[] {
  const detail = answer.body.detail;
  if (Array.isArray(detail)) {
    return detail.map((d: { loc?: unknown[]; msg?: string }) => {
      const field = (d.loc ?? []).filter((p) => p !== 'body').join('.');
      return `${answer.status}: ${field ? `${field}: ` : ''}${d.msg ?? ''}`;
    });
  }
  return [`${answer.status}: ${typeof detail === 'string' ? detail : JSON.stringify(answer.body)}`];
}
