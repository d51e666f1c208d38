import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Who may call the standalone API. With a token (`--token` / AIRLESS_API_TOKEN) every API request
 * needs `Authorization: Bearer <token>`. Without one the server listens on loopback only
 * (startStandalone refuses another address), and a write a browser sends from another site is
 * refused whatever the token: a web page cannot make the local airless start, clear or cancel runs.
 */
export type Refusal = { status: 401 | 403; detail: string } | null;

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const sameToken = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

export function apiRefusal(req: IncomingMessage, token: string | undefined): Refusal {
  if (token !== undefined) {
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (given === undefined || !sameToken(given, token)) {
      return { status: 401, detail: 'Not authenticated: send Authorization: Bearer <token>' };
    }
  }
  if (!WRITES.has(req.method ?? 'GET')) return null;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return { status: 403, detail: 'a write from another site is refused' };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) {
    return { status: 403, detail: 'a write from another origin is refused' };
  }
  return null;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;
export const isLoopback = (host: string): boolean => LOOPBACK.test(host);
