import type { z } from 'zod';
import { AirlessError, type ErrorName } from '../errors.ts';

/** Supplies the Authorization header of a service; `invalidate` drops a credential the service rejected. */
export interface Authorizer {
  headers(): Promise<Record<string, string>>;
  invalidate(): void;
}

export const NO_AUTH: Authorizer = { headers: async () => ({}), invalidate: () => undefined };

/** One service endpoint: every request of a client goes through here, so errors map the same way. */
export interface HttpTarget {
  /** Used in error messages: 'ARM', 'Flink REST', 'Genie'. */
  service: string;
  baseUrl: string;
  auth: Authorizer;
  timeoutMs: number;
}

export interface HttpCall {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** A path under baseUrl, or an absolute URL the service handed out (it must share baseUrl's origin). */
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  form?: FormData;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Seconds from a Retry-After header: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

export function errorNameForStatus(status: number): ErrorName {
  if (status === 429) return 'Throttled';
  if (status >= 500 || status === 408) return 'ServiceUnavailable';
  if (status === 401 || status === 403) return 'AuthFailed';
  if (status === 404) return 'NotFound';
  if (status === 409) return 'Conflict';
  return 'BadInput';
}

/** The human part of an error body: ARM {error:{code,message}}, Flink {errors:[..]}, Spring {message}. */
function describeErrorBody(body: unknown): string {
  if (typeof body === 'string') return body.slice(0, 300);
  if (body === null || typeof body !== 'object') return '';
  const b = body as Record<string, unknown>;
  const arm = b.error as Record<string, unknown> | undefined;
  if (arm && typeof arm === 'object')
    return `${String(arm.code ?? '')}: ${String(arm.message ?? '')}`.slice(0, 300);
  if (Array.isArray(b.errors)) return b.errors.map(String).join('; ').slice(0, 300);
  if (typeof b.message === 'string') return b.message.slice(0, 300);
  return '';
}

function resolveUrl(target: HttpTarget, call: HttpCall): URL {
  const base = new URL(target.baseUrl);
  const url = /^https?:\/\//i.test(call.path)
    ? new URL(call.path)
    : new URL(base.pathname.replace(/\/$/, '') + call.path, base);
  if (url.origin !== base.origin) {
    throw new AirlessError(
      'ServiceUnavailable',
      `${target.service} pointed to ${url.origin}, outside ${base.origin}; not sending credentials there`,
    );
  }
  for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, value);
  return url;
}

async function sendOnce(target: HttpTarget, call: HttpCall, url: URL): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...(await target.auth.headers()) };
  let body: string | FormData | undefined;
  if (call.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.json);
  } else if (call.form) body = call.form;
  try {
    return await fetch(url, {
      method: call.method,
      headers,
      body,
      signal: AbortSignal.timeout(target.timeoutMs),
    });
  } catch (cause) {
    const reason =
      cause instanceof Error && cause.name === 'TimeoutError'
        ? `no answer in ${target.timeoutMs} ms`
        : 'connection failed';
    throw new AirlessError('NetworkError', `${target.service} ${call.method} ${url.pathname}: ${reason}`, {
      cause,
    });
  }
}

/**
 * Sends one request and returns its answer when the status is 2xx; otherwise throws the named error
 * for the status. A 401 makes the authorizer drop its credential and the request is sent once more.
 */
export async function request(target: HttpTarget, call: HttpCall): Promise<HttpAnswer> {
  const url = resolveUrl(target, call);
  let response = await sendOnce(target, call, url);
  if (response.status === 401) {
    await response.body?.cancel();
    target.auth.invalidate();
    response = await sendOnce(target, call, url);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (cause) {
    throw new AirlessError(
      'NetworkError',
      `${target.service} ${call.method} ${url.pathname}: answer cut off`,
      { cause },
    );
  }
  let body: unknown = text;
  if (text !== '' && (response.headers.get('content-type') ?? '').includes('json')) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  } else if (text === '') body = undefined;
  if (response.status >= 400) {
    const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
    const detail = describeErrorBody(body);
    throw new AirlessError(
      errorNameForStatus(response.status),
      `${target.service} ${call.method} ${url.pathname} answered ${response.status}${detail ? ` (${detail})` : ''}`,
      retryAfterSeconds === undefined ? undefined : { retryAfterSeconds },
    );
  }
  return { status: response.status, headers: response.headers, body };
}

/** Checks a service answer against the shape the client relies on. */
export function parseAnswer<S extends z.ZodType>(
  target: HttpTarget,
  what: string,
  schema: S,
  body: unknown,
): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AirlessError(
      'ServiceUnavailable',
      `${target.service} answered ${what} in an unexpected shape (${issue?.path.join('.') || '(root)'}: ${issue?.message ?? ''})`,
    );
  }
  return parsed.data;
}

export async function requestJson<S extends z.ZodType>(
  target: HttpTarget,
  call: HttpCall,
  schema: S,
): Promise<z.infer<S>> {
  const answer = await request(target, call);
  return parseAnswer(target, `${call.method} ${call.path.split('?')[0]}`, schema, answer.body);
}
