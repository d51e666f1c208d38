import http from 'node:http';
import type { AddressInfo } from 'node:net';
import azfn from '@azure/functions';
import type { DurableHost } from './host.ts';

const { HttpRequest } = azfn;

interface HttpRoute {
  name: string;
  methods: string[];
  pattern: RegExp;
  params: string[];
}

function httpRoutes(host: DurableHost): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const reg of host.registrations()) {
    const trigger = Object.values(reg.metadata.bindings).find((b) => b.type === 'httpTrigger') as
      { route?: string; methods?: string[] } | undefined;
    if (trigger === undefined) continue;
    const params: string[] = [];
    // `{name}` is one path segment, `{*name}` (a catch-all) the rest of the path.
    const source = (trigger.route ?? reg.metadata.name).replace(
      /\{(\*?)(\w+)\}/g,
      (_m, all: string, p: string) => {
        params.push(p);
        return all === '*' ? '(.*)' : '([^/]+)';
      },
    );
    routes.push({
      name: reg.metadata.name,
      methods: trigger.methods ?? ['GET', 'POST'],
      pattern: new RegExp(`^/${source}$`),
      params,
    });
  }
  return routes;
}

/** A route parameter as the host passes it: decoded, or as sent when it is not valid percent-encoding. */
function decodeParam(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Serves the registered HTTP functions on 127.0.0.1 the way the Functions host would (route
 * templates with catch-alls, methods, an empty route prefix as host.json sets), each invoked with the durable
 * client binding of the local host.
 */
export async function serveHttpFunctions(
  host: DurableHost,
): Promise<{ url: string; close: () => Promise<void> }> {
  const routes = httpRoutes(host);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const method = req.method ?? 'GET';
        for (const route of routes) {
          const m = route.pattern.exec(url.pathname);
          if (m === null || !route.methods.includes(method)) continue;
          const params = Object.fromEntries(route.params.map((p, i) => [p, decodeParam(m[i + 1]!)]));
          const request = new HttpRequest({
            method,
            url: url.href,
            body: { string: Buffer.concat(chunks).toString('utf8') },
            headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
            params,
          });
          const reg = host.registration(route.name)!;
          try {
            const out = (await reg.handler(request, host.invocationContext(route.name, reg))) as {
              status?: number;
              headers?: Record<string, string>;
              jsonBody?: unknown;
            };
            res.writeHead(out.status ?? 200, out.headers ?? {});
            res.end(out.jsonBody === undefined ? '' : JSON.stringify(out.jsonBody));
          } catch (e) {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end((e as Error).message);
          }
          return;
        }
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end(`no function serves ${method} ${url.pathname}`);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
