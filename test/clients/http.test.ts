import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  parseRetryAfter,
  request,
  requestJson,
  type Authorizer,
  type HttpTarget,
} from '../../src/clients/http.ts';
import { withTransientRetry } from '../../src/clients/retry.ts';
import { AirlessError } from '../../src/errors.ts';
import { failure } from '../handlers/fixtures.ts';

/** A loopback server whose answer per path is scripted by the test. */
let server: Server;
let base: string;
const seenAuth: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    seenAuth.push(req.headers.authorization ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    const status = Number(url.searchParams.get('status') ?? 200);
    if (url.pathname === '/slow') return void setTimeout(() => res.end('{}'), 500);
    if (url.pathname === '/drop') return void req.socket.destroy();
    if (url.pathname === '/auth') {
      res.writeHead(req.headers.authorization === 'Bearer fresh' ? 200 : 401, {
        'content-type': 'application/json',
      });
      return void res.end('{"ok":true}');
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (url.searchParams.has('retry')) headers['retry-after'] = url.searchParams.get('retry')!;
    res.writeHead(status, headers);
    res.end(
      url.pathname === '/arm' ? '{"error":{"code":"InvalidJobAction","message":"not now"}}' : '{"value":1}',
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const target = (over: Partial<HttpTarget> = {}): HttpTarget => ({
  service: 'Test',
  baseUrl: base,
  auth: { headers: async () => ({}), invalidate: () => undefined },
  timeoutMs: 200,
  ...over,
});

describe('http helper', () => {
  it.each([
    [400, 'BadInput'],
    [401, 'AuthFailed'],
    [403, 'AuthFailed'],
    [404, 'NotFound'],
    [409, 'Conflict'],
    [422, 'BadInput'],
    [429, 'Throttled'],
    [500, 'ServiceUnavailable'],
    [503, 'ServiceUnavailable'],
  ])('maps HTTP %i to %s with the ARM error text', async (status, name) => {
    const e = await failure(
      request(target(), { method: 'GET', path: '/arm', query: { status: String(status) } }),
    );
    expect(e).toBeInstanceOf(AirlessError);
    expect(e.name).toBe(name);
    expect(e.message).toContain(`answered ${status} (InvalidJobAction: not now)`);
  });

  it('reads Retry-After as seconds or an HTTP date', async () => {
    const e = await failure(
      request(target(), { method: 'GET', path: '/x', query: { status: '429', retry: '7' } }),
    );
    expect(e.retryAfterSeconds).toBe(7);
    const now = Date.parse('2026-11-21T10:00:00Z');
    expect(parseRetryAfter('Sat, 21 Nov 2026 10:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('turns refused, dropped and slow connections into NetworkError', async () => {
    expect(
      (await failure(request(target({ baseUrl: 'http://127.0.0.1:1' }), { method: 'GET', path: '/' }))).name,
    ).toBe('NetworkError');
    expect((await failure(request(target(), { method: 'GET', path: '/drop' }))).name).toBe('NetworkError');
    const slow = await failure(request(target(), { method: 'GET', path: '/slow' }));
    expect(slow.name).toBe('NetworkError');
    expect(slow.message).toContain('no answer in 200 ms');
  });

  it('refuses to follow a URL to another origin with credentials', async () => {
    const e = await failure(request(target(), { method: 'GET', path: 'http://127.0.0.2:9/steal' }));
    expect(e.name).toBe('ServiceUnavailable');
    expect(e.message).toContain('not sending credentials');
  });

  it('drops a rejected credential and retries once with a fresh one', async () => {
    let token = 'stale';
    const auth: Authorizer = {
      headers: async () => ({ authorization: `Bearer ${token}` }),
      invalidate: () => (token = 'fresh'),
    };
    seenAuth.length = 0;
    const answer = await request(target({ auth }), { method: 'GET', path: '/auth' });
    expect(answer.status).toBe(200);
    expect(seenAuth).toEqual(['Bearer stale', 'Bearer fresh']);
  });

  it('checks answers against the schema', async () => {
    expect(
      await requestJson(target(), { method: 'GET', path: '/ok' }, z.object({ value: z.number() })),
    ).toEqual({ value: 1 });
    const e = await failure(
      requestJson(target(), { method: 'GET', path: '/ok' }, z.object({ value: z.string() })),
    );
    expect(e.name).toBe('ServiceUnavailable');
    expect(e.message).toContain('unexpected shape (value');
  });
});

describe('withTransientRetry', () => {
  const policy = { attempts: 3, retryAfterCapSeconds: 5, sleep: async () => undefined };

  it('retries transient errors and gives up after the attempts', async () => {
    let calls = 0;
    const e = await failure(
      withTransientRetry(async () => {
        calls++;
        throw new AirlessError('ServiceUnavailable', 'down');
      }, policy),
    );
    expect([e.name, calls]).toEqual(['ServiceUnavailable', 3]);
  });

  it('does not retry fatal errors, nor a Retry-After beyond the cap', async () => {
    let calls = 0;
    const fatal = async () => {
      calls++;
      throw new AirlessError('BadInput', 'no');
    };
    expect((await failure(withTransientRetry(fatal, policy))).name).toBe('BadInput');
    expect(calls).toBe(1);
    calls = 0;
    const waits: number[] = [];
    const long = async () => {
      calls++;
      throw new AirlessError('Throttled', 'later', { retryAfterSeconds: calls === 1 ? 2 : 60 });
    };
    const e = await failure(
      withTransientRetry(long, { ...policy, sleep: async (ms) => void waits.push(ms) }),
    );
    expect([e.name, e.retryAfterSeconds, calls, waits]).toEqual(['Throttled', 60, 2, [2000]]);
  });
});
