import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiIndexSite, startHttpServer, uiSite } from '../../../src/local/standalone/http-server.ts';
import type { ApiRequest } from '../../../src/runs/api/router.ts';

describe('standalone HTTP front', () => {
  it('sends /api/v2/ to the router with method, path, query and body; refuses a huge body', async () => {
    const seen: ApiRequest[] = [];
    const server = await startHttpServer({
      port: 0,
      api: async (req) => {
        seen.push(req);
        return { status: 201, body: { ok: true } };
      },
      site: apiIndexSite,
    });
    try {
      const res = await fetch(`${server.url}/api/v2/dags/a/dagRuns?limit=2`, {
        method: 'POST',
        body: '{"x":1}',
      });
      expect([res.status, await res.json()]).toEqual([201, { ok: true }]);
      expect(seen.map((r) => [r.method, r.path, r.query.get('limit'), r.body])).toEqual([
        ['POST', '/api/v2/dags/a/dagRuns', '2', '{"x":1}'],
      ]);
      const huge = await fetch(`${server.url}/api/v2/dags`, {
        method: 'POST',
        body: 'x'.repeat(1024 * 1024 + 1),
      });
      expect(huge.status).toBe(413);
      expect(seen).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('without the UI, / lists the API and other paths are 404; with it, / redirects to /ui/', async () => {
    const server = await startHttpServer({
      port: 0,
      api: async () => ({ status: 200, body: {} }),
      site: apiIndexSite,
    });
    try {
      const page = await fetch(`${server.url}/`);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(await page.text()).toContain('/api/v2/dags');
      expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    } finally {
      await server.close();
    }
    const dir = await mkdtemp(join(tmpdir(), 'airless-ui-'));
    expect(uiSite(dir)).toBeNull();
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>airless</title>');
    const ui = uiSite(dir)!;
    const withUi = await startHttpServer({ port: 0, api: async () => ({ status: 200, body: {} }), site: ui });
    try {
      const root = await fetch(`${withUi.url}/`, { redirect: 'manual' });
      expect([root.status, root.headers.get('location')]).toEqual([302, '/ui/']);
      const index = await fetch(`${withUi.url}/ui/`);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    } finally {
      await withUi.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('who may call the standalone API', () => {
  const start = (token?: string) =>
    startHttpServer({
      port: 0,
      api: async () => ({ status: 200, body: { ok: true } }),
      site: apiIndexSite,
      token,
    });

  it('refuses a write a browser sends from another site or origin, takes one from its own page', async () => {
    const server = await start();
    try {
      const post = (headers: Record<string, string>) =>
        fetch(`${server.url}/api/v2/dags/a/dagRuns`, { method: 'POST', body: '{}', headers });
      expect((await post({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
      expect((await post({ origin: 'http://evil.example' })).status).toBe(403);
      const host = new URL(server.url).host;
      expect((await post({ 'sec-fetch-site': 'same-origin', origin: `http://${host}` })).status).toBe(200);
      expect((await post({})).status).toBe(200);
      expect(
        (await fetch(`${server.url}/api/v2/dags`, { headers: { 'sec-fetch-site': 'cross-site' } })).status,
      ).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('with a token, every API call needs it as a bearer token; the UI page does not', async () => {
    const server = await start('s3cret-token');
    try {
      const none = await fetch(`${server.url}/api/v2/dags`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      const wrong = await fetch(`${server.url}/api/v2/dags`, {
        headers: { authorization: 'Bearer s3cret-tokeX' },
      });
      expect(wrong.status).toBe(401);
      const right = await fetch(`${server.url}/api/v2/dags`, {
        headers: { authorization: 'Bearer s3cret-token' },
      });
      expect(right.status).toBe(200);
      expect((await fetch(`${server.url}/`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
