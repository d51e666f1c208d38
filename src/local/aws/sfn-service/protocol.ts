import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SfnError } from './errors.ts';

/** One API operation: the request body in, the response body out (Dates become epoch seconds). */
export type Operation = (body: Record<string, unknown>) => unknown;

const TARGET_PREFIX = 'AWSStepFunctions.';
/** Well above the largest request (a 1 MiB definition, JSON-escaped). */
const MAX_BODY_BYTES = 4 * 1_048_576;

/** JSON with Dates as epoch seconds, as the AWS JSON 1.0 protocol sends timestamps. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : v;
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = encodeJson(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Answers one request: `POST /` with `X-Amz-Target: AWSStepFunctions.<Op>` and a JSON body. */
async function handle(
  operations: Record<string, Operation>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const target = String(req.headers['x-amz-target'] ?? '');
  const op = target.startsWith(TARGET_PREFIX) ? operations[target.slice(TARGET_PREFIX.length)] : undefined;
  const text = await readBody(req);
  if (req.method !== 'POST' || !op) {
    send(res, 400, { __type: 'UnknownOperationException', message: `unknown operation ${target}` });
    return;
  }
  if (text === null) {
    send(res, 413, { __type: 'ValidationException', message: 'request body too large' });
    return;
  }
  let body: unknown;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch {
    send(res, 400, { __type: 'SerializationException', message: 'the body is not JSON' });
    return;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    send(res, 400, { __type: 'SerializationException', message: 'the body is not a JSON object' });
    return;
  }
  try {
    send(res, 200, (await op(body as Record<string, unknown>)) ?? {});
  } catch (error) {
    if (error instanceof SfnError) {
      send(res, 400, { __type: error.type, message: error.message });
    } else {
      send(res, 500, {
        __type: 'InternalFailure',
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

/** Serves the operations over HTTP on 127.0.0.1 (port 0 picks a free one). */
export async function serveOperations(
  operations: Record<string, Operation>,
  port: number,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    handle(operations, req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { __type: 'InternalFailure', message: String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${bound}` };
}
