import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { apiRouter } from '../../src/runs/api/router.ts';
import { MemoryBackend } from '../runs/memory-backend.ts';
import { runCli } from './run-cli.ts';

/**
 * `airless backfill` against an API over loopback: the real router, on the in-memory test double
 * of the port (the hosts' real backends run the shared API suite).
 */
const DAG = `
dag_id: etl
schedule: '0 6 * * *'
start_date: 2026-01-01
params:
  n: { type: integer, minimum: 1, default: 1 }
tasks:
  a: { operator: empty }
`;

let server: Server | null = null;
async function stop(): Promise<void> {
  const s = server;
  server = null;
  if (s === null) return;
  s.closeAllConnections();
  await new Promise((r) => s.close(r));
}
afterEach(stop);

async function serve(backend: MemoryBackend): Promise<string> {
  const route = apiRouter(backend);
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      void route({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        body: body || undefined,
      }).then((reply) => {
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply.body));
      });
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

describe('airless backfill', () => {
  it('lists with --dry-run, creates a backfill, and follows it with --wait until its runs end', async () => {
    const backend = new MemoryBackend('2026-01-20T12:00:00Z');
    backend.addDag(DAG);
    const api = await serve(backend);
    const range = ['--from', '2026-01-02', '--to', '2026-01-04T12:00:00Z', '--api', api];
    const dry = await runCli('backfill', 'etl', ...range, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(
      '2026-01-02T06:00:00+00:00\n2026-01-03T06:00:00+00:00\n2026-01-04T06:00:00+00:00\n3 runs',
    );
    expect(backend.triggers).toEqual([]);

    const following = runCli(
      'backfill',
      'etl',
      ...range,
      '--max-active-runs',
      '2',
      '--conf',
      '{"n": 3}',
      '--wait',
    );
    for (let finished = 0; finished < 3;) {
      await new Promise((r) => setTimeout(r, 200));
      for (const run of backend.runs.filter((r) => r.state === 'queued')) {
        backend.finish(run.dag_run_id, 'success');
        finished++;
      }
    }
    const done = await following;
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/^backfill 1 of etl/);
    expect(done.stdout).toContain('backfill 1 completed: 3 runs, 0 failed');
    expect(backend.triggers.map((t) => t.conf)).toEqual([{ n: 3 }, { n: 3 }, { n: 3 }]);
  });

  it('prints the API refusal per field, and a clear message when no API answers', async () => {
    const backend = new MemoryBackend('2026-01-20T12:00:00Z');
    backend.addDag(DAG);
    const api = await serve(backend);
    const bad = await runCli('backfill', 'etl', '--from', 'soon', '--to', '2026-01-04', '--api', api);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('airless backfill: 422: from_date: ');
    const missing = await runCli(
      'backfill',
      'nope',
      '--from',
      '2026-01-02',
      '--to',
      '2026-01-04',
      '--api',
      api,
    );
    expect(missing).toMatchObject({ code: 1, stderr: 'airless backfill: 404: Could not find dag nope\n' });
    await stop();
    const down = await runCli('backfill', 'etl', '--from', '2026-01-02', '--to', '2026-01-04', '--api', api);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain('cannot reach the airless API at');
  });
});
