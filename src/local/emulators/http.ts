import type { IncomingHttpHeaders } from 'node:http';
import type { Service } from './faults.ts';

/** One request as the emulated services see it: body already read. */
export interface EmuRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`, as the client reached us. */
  origin: string;
}

/** An answer: a JSON `body`, or a `text` body, or neither. */
export interface Reply {
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

/** One emulated service mounted on the shared server. */
export interface ServiceRoute {
  service: Service;
  owns(url: URL): boolean;
  /** The job a request is about, for fault matching (body, query or path). */
  jobNameOf(req: EmuRequest): string | undefined;
  handle(req: EmuRequest): Reply | Promise<Reply>;
  /** The service's error shape, used for injected faults too. */
  error(status: number, code: string, message: string): Reply;
}

export class BadRequestBody extends Error {}

/** Parses the body as JSON; an empty body is `{}`. */
export function jsonBody(req: EmuRequest): unknown {
  if (req.body.length === 0) return {};
  try {
    return JSON.parse(req.body.toString('utf8')) as unknown;
  } catch {
    throw new BadRequestBody('The request body is not valid JSON.');
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const json = (status: number, body?: unknown, headers?: Record<string, string>): Reply => ({
  status,
  body,
  ...(headers ? { headers } : {}),
});

/** 32 lowercase hex characters, the shape of Flink job ids and trigger ids. */
export function hex32(): string {
  return crypto.randomUUID().replaceAll('-', '');
}
