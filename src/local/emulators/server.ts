import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultRegistry } from './faults.ts';
import type { EmuRequest, Reply, ServiceRoute } from './http.ts';
import { BadRequestBody, json } from './http.ts';
import type { EmulatorStats } from './stats.ts';
import type { SelfSignedCert } from './tls-cert.ts';

const MAX_BODY_BYTES = 256 * 1024 * 1024;

export interface ServerParts {
  routes: ServiceRoute[];
  /** `/_admin/...` requests, never subject to faults. */
  admin: (req: EmuRequest) => Reply | Promise<Reply>;
  faults: FaultRegistry;
  stats: EmulatorStats;
  cert: SelfSignedCert;
}

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('request body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload: string | undefined;
  if (reply.text !== undefined) {
    payload = reply.text;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  headers['content-length'] = String(payload === undefined ? 0 : Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/**
 * One loopback port speaking both HTTP and HTTPS: the first byte of a connection tells a TLS
 * ClientHello (0x16) from plain HTTP. Azure SDK clients need https; fetch-based ones are happier
 * without a custom CA.
 */
export async function startServer(parts: ServerParts, port: number): Promise<RunningServer> {
  const { routes, admin, faults, stats } = parts;

  async function dispatch(req: EmuRequest, res: ServerResponse): Promise<void> {
    if (req.url.pathname.startsWith('/_admin/')) return send(res, await admin(req));
    const route = routes.find((r) => r.owns(req.url));
    if (!route)
      return send(
        res,
        json(404, { error: { code: 'NotFound', message: `No emulated service at ${req.url.pathname}` } }),
      );
    stats.requested(route.service);
    const target = { service: route.service, jobName: route.jobNameOf(req) };
    /** A drop or server-error armed for this phase: 'dropped', a replacement reply, or nothing. */
    const failAt = (when: 'before' | 'after'): 'dropped' | Reply | undefined => {
      if (faults.take('drop', target, when)) {
        stats.injected('drop');
        res.socket?.destroy();
        return 'dropped';
      }
      const failure = faults.take('server-error', target, when);
      if (!failure) return undefined;
      stats.injected('server-error');
      const status = failure.status ?? 503;
      const code = status === 503 ? 'ServiceUnavailable' : 'InternalServerError';
      return route.error(status, code, 'Injected server error.');
    };
    const slow = faults.take('slow', target);
    if (slow) {
      stats.injected('slow');
      await sleep(slow.delayMs ?? 2000);
    }
    const throttle = faults.take('throttle', target);
    if (throttle) {
      stats.injected('throttle');
      const reply = route.error(429, 'TooManyRequests', 'The request is being throttled.');
      return send(res, {
        ...reply,
        headers: { ...reply.headers, 'retry-after': String(throttle.retryAfterSeconds ?? 1) },
      });
    }
    const before = failAt('before');
    if (before === 'dropped') return;
    if (before) return send(res, before);
    const reply = await route.handle(req);
    const after = failAt('after');
    if (after !== 'dropped') send(res, after ?? reply);
  }

  const onRequest = (secure: boolean) => (req: IncomingMessage, res: ServerResponse) => {
    const host = req.headers.host ?? `127.0.0.1:${port}`;
    const origin = `${secure ? 'https' : 'http'}://${host}`;
    readBody(req)
      .then((body) =>
        dispatch(
          {
            method: req.method ?? 'GET',
            url: new URL(req.url ?? '/', origin),
            headers: req.headers,
            body,
            origin,
          },
          res,
        ),
      )
      .catch((e: unknown) => {
        if (res.headersSent || res.destroyed) return;
        const bad = e instanceof BadRequestBody;
        send(
          res,
          json(bad ? 400 : 500, {
            error: { code: bad ? 'BadRequest' : 'InternalServerError', message: (e as Error).message },
          }),
        );
      });
  };

  const httpServer = createHttpServer(onRequest(false));
  const httpsServer = createHttpsServer(
    { cert: parts.cert.certPem, key: parts.cert.keyPem },
    onRequest(true),
  );
  const sockets = new Set<Socket>();
  const front = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      (first[0] === 0x16 ? httpsServer : httpServer).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(port, '127.0.0.1', () => resolve());
  });
  const address = front.address();
  if (address === null || typeof address === 'string') throw new Error('emulator server has no TCP address');
  port = address.port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        front.close(() => resolve());
      }),
  };
}
