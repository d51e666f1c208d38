import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DurableHost } from './host.ts';

const BASE = '/runtime/webhooks/durabletask/';

/**
 * The Durable extension's RPC endpoint, as far as durable-functions' DurableClient uses it
 * (start, status, raise event, terminate, entity signal and read), served over 127.0.0.1 so
 * activities and HTTP functions talk to the local host through the real client code.
 */
export async function startRpcServer(
  host: DurableHost,
): Promise<{ clientData: unknown; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const { status, body } = route(
          host,
          req.method ?? 'GET',
          new URL(req.url ?? '/', 'http://127.0.0.1'),
          Buffer.concat(chunks).toString('utf8'),
        );
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body === undefined ? '' : JSON.stringify(body));
      } catch (e) {
        const err = e as Error & { status?: number };
        res.writeHead(err.status ?? 500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: err.message }));
      }
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const clientData = {
    taskHubName: 'airless',
    creationUrls: {},
    managementUrls: { id: 'INSTANCEID' },
    baseUrl: `${origin}${BASE}`,
    requiredQueryStringParameters: '',
    rpcBaseUrl: `${origin}${BASE}`,
  };
  return {
    clientData,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function parseBody(text: string): unknown {
  return text === '' ? undefined : JSON.parse(text);
}

function route(
  host: DurableHost,
  method: string,
  url: URL,
  text: string,
): { status: number; body?: unknown } {
  const parts = url.pathname.slice(BASE.length).split('/').map(decodeURIComponent);
  const [kind, a, b, c] = parts;
  if (kind === 'orchestrators' && method === 'POST' && a !== undefined) {
    const id = b ?? `${a}-${host.instances.size + 1}`;
    host.startNew(a, id, parseBody(text));
    return { status: 202, body: { id } };
  }
  if (kind === 'instances' && method === 'GET' && (a === undefined || a === '')) {
    return { status: 200, body: [...host.instances.keys()].map((id) => host.status(id)) };
  }
  if (kind === 'instances' && a !== undefined) {
    if (method === 'GET') {
      const status = host.status(a);
      return status === undefined
        ? { status: 404, body: { message: `no instance ${a}` } }
        : { status: 200, body: status };
    }
    if (method === 'POST' && b === 'raiseEvent' && c !== undefined) {
      host.raiseEvent(a, c, parseBody(text));
      return { status: 202 };
    }
    if (method === 'POST' && b === 'terminate') {
      host.terminate(a, url.searchParams.get('reason') ?? '');
      return { status: 202 };
    }
  }
  if (kind === 'entities' && a !== undefined && b !== undefined) {
    const entity = `@${a.toLowerCase()}@${b}`;
    if (method === 'POST') {
      host.signalEntity(entity, url.searchParams.get('op') ?? '', parseBody(text));
      return { status: 202 };
    }
    const state = host.readEntity(entity);
    return state === undefined ? { status: 404 } : { status: 200, body: state };
  }
  return { status: 404, body: { message: `no route ${method} ${url.pathname}` } };
}
