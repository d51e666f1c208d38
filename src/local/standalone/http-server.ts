import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_PREFIX, type ApiRequest } from '../../runs/api/router.ts';
import type { ApiReply } from '../../runs/api/http-errors.ts';
import { uiAssets } from '../../ui/assets.ts';
import { apiRefusal } from './api-guard.ts';

/**
 * The HTTP front of `airless standalone`: `/api/v2/...` goes to the Airflow REST API v2 router;
 * everything else to `static`, the UI's assets when the package ships them, else a plain page that
 * lists the API.
 */
export interface StaticSite {
  /** The answer for a URL path (a file, or a redirect), or null when there is none (a 404). */
  serve(path: string): { status?: number; headers: Record<string, string>; body: Buffer | string } | null;
}

export interface HttpServerOptions {
  port: number;
  host?: string;
  api: (req: ApiRequest) => Promise<ApiReply>;
  site: StaticSite;
  /** When set, every API request needs it as a bearer token (see api-guard.ts). */
  token?: string | undefined;
}

/** Bodies above this are refused before the router sees them (the router has its own, lower caps). */
const MAX_BODY_BYTES = 1024 * 1024;

export interface RunningHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string | undefined | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(size > MAX_BODY_BYTES ? null : size === 0 ? undefined : Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', ...headers });
  res.end(body);
}

async function handle(options: HttpServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  if (url.pathname.startsWith(API_PREFIX) || url.pathname === API_PREFIX.slice(0, -1)) {
    const refusal = apiRefusal(req, options.token);
    if (refusal !== null) {
      req.resume();
      const challenge: Record<string, string> =
        refusal.status === 401 ? { 'www-authenticate': 'Bearer' } : {};
      send(res, refusal.status, 'application/json', JSON.stringify({ detail: refusal.detail }), challenge);
      return;
    }
    const body = await readBody(req);
    if (body === null) {
      send(res, 413, 'application/json', JSON.stringify({ detail: 'Request body too large' }));
      return;
    }
    const reply = await options.api({ method, path: url.pathname, query: url.searchParams, body });
    send(res, reply.status, 'application/json', JSON.stringify(reply.body));
    return;
  }
  if (method !== 'GET' && method !== 'HEAD') {
    send(res, 405, 'application/json', JSON.stringify({ detail: 'Method Not Allowed' }));
    return;
  }
  const file = options.site.serve(url.pathname);
  if (file === null) send(res, 404, 'text/plain; charset=utf-8', 'Not Found\n');
  else send(res, file.status ?? 200, 'text/plain', method === 'HEAD' ? '' : file.body, file.headers);
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const server: Server = createServer((req, res) => {
    handle(options, req, res).catch((error: unknown) => {
      if (!res.headersSent)
        send(res, 500, 'application/json', JSON.stringify({ detail: 'Internal Server Error' }));
      else res.destroy();
      console.error(`airless standalone: ${req.method} ${req.url}: ${String(error)}`);
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
    },
  };
}

/** `/` when the UI is not there: what is served and where the API is. */
export const apiIndexSite: StaticSite = {
  serve(path) {
    if (path !== '/' && path !== '/index.html') return null;
    const routes = [
      'GET /api/v2/dags',
      'GET|PATCH /api/v2/dags/{dag_id}',
      'GET|POST /api/v2/dags/{dag_id}/dagRuns',
      'GET|PATCH /api/v2/dags/{dag_id}/dagRuns/{dag_run_id}',
      'GET /api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances',
      'GET /api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/logs/{try_number}',
      'GET /api/v2/dags/{dag_id}/details',
      'GET /api/v2/dags/{dag_id}/tasks',
      'GET /api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/tries',
      'GET /api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/links',
      'GET /api/v2/importErrors',
    ];
    const items = routes.map((r) => `<li><code>${r}</code></li>`).join('\n');
    const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>airless standalone</title></head>
<body>
<h1>airless standalone</h1>
<p>The Airflow REST API v2 is served under <a href="/api/v2/dags"><code>/api/v2/</code></a>:</p>
<ul>
${items}
</ul>
</body></html>
`;
    return { headers: { 'content-type': 'text/html; charset=utf-8' }, body: page };
  },
};

/** The web UI under `/ui/` (`/` redirects there), or null when the UI is not built. */
export function uiSite(dir?: string): StaticSite | null {
  let assets: ReturnType<typeof uiAssets>;
  try {
    assets = dir === undefined ? uiAssets() : uiAssets(dir);
  } catch {
    return null;
  }
  return {
    serve(path) {
      if (path === '/' || path === '/ui')
        return { status: 302, headers: { location: '/ui/', 'content-type': 'text/plain' }, body: '' };
      const asset = assets.get(path);
      return asset ? { headers: asset.headers, body: asset.body } : null;
    },
  };
}
