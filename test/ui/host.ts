import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiBackend } from '../../src/runs/api/backend.ts';
import { API_PREFIX, apiRouter } from '../../src/runs/api/router.ts';
import { uiAssets } from '../../src/ui/assets.ts';

/**
 * A test host for the UI: node:http on 127.0.0.1 serving the built UI (src/ui/assets.ts) and the
 * Airflow REST API v2 router (src/runs/api/router.ts) on the given backend (in the tests, a double of
 * the port). What `airless standalone` does with its real backend.
 */
export interface UiHost {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 256 * 1024;

export async function startUiHost(backend: ApiBackend, uiDir: string): Promise<UiHost> {
  const assets = uiAssets(uiDir);
  const route = apiRouter(backend);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/' || url.pathname === '/ui') {
      res.writeHead(302, { location: '/ui/' }).end();
      return;
    }
    const asset = assets.get(url.pathname);
    if (asset && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, asset.headers).end(req.method === 'HEAD' ? undefined : asset.body);
      return;
    }
    if (!url.pathname.startsWith(API_PREFIX)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const body = chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : undefined;
      route({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body })
        .then((reply) => {
          res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
        })
        .catch((error: unknown) => {
          res
            .writeHead(500, { 'content-type': 'application/json' })
            .end(JSON.stringify({ detail: String(error) }));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
