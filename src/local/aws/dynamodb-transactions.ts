import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * dynalite 4.0.0 has no TransactWriteItems, which the DynamoDB run store uses (a run and its queue
 * entry in one step; a run's end and its slot's release in one step). This front, on its own
 * loopback port, forwards every request to dynalite unchanged and answers TransactWriteItems itself:
 * all writes pass one at a time (a single writer), and a transaction applies its items in order as
 * conditional writes that return the old item, undoing the applied ones when one fails. No other
 * write can interleave, so to every writer the transaction is atomic; a reader between two of its
 * items can see it half applied (a local store's compromise, not DynamoDB's serialisability). A
 * failed condition answers TransactionCanceledException with one reason per item, as DynamoDB does.
 */
export interface DynamoTransactionsFront {
  endpoint: string;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;
type Item = Record<string, unknown>;

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const PREFIX = 'DynamoDB_20120810.';

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export async function startDynamoTransactions(dynalite: string): Promise<DynamoTransactionsFront> {
  let writer: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const run = writer.then(work, work);
    writer = run.catch(() => undefined);
    return run;
  };
  const keySchemas = new Map<string, string[]>();

  async function forward(headers: IncomingHttpHeaders, body: string): Promise<Reply> {
    const res = await fetch(dynalite, {
      method: 'POST',
      headers: {
        'content-type': String(headers['content-type'] ?? 'application/x-amz-json-1.0'),
        'x-amz-target': String(headers['x-amz-target'] ?? ''),
        authorization: String(headers.authorization ?? ''),
        'x-amz-date': String(headers['x-amz-date'] ?? ''),
      },
      body,
    });
    const text = await res.text();
    return { status: res.status, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: text };
  }

  async function call(
    headers: IncomingHttpHeaders,
    op: string,
    input: Json,
  ): Promise<{ ok: boolean; body: Json; reply: Reply }> {
    const reply = await forward({ ...headers, 'x-amz-target': `${PREFIX}${op}` }, JSON.stringify(input));
    const body = (reply.body === '' ? {} : JSON.parse(reply.body)) as Json;
    return { ok: reply.status === 200, body, reply };
  }

  async function keyOf(headers: IncomingHttpHeaders, table: string, item: Item): Promise<Item> {
    let names = keySchemas.get(table);
    if (!names) {
      const described = await call(headers, 'DescribeTable', { TableName: table });
      const schema = ((described.body.Table as Json | undefined)?.KeySchema ?? []) as Array<{
        AttributeName: string;
      }>;
      names = schema.map((k) => k.AttributeName);
      keySchemas.set(table, names);
    }
    return Object.fromEntries(names.map((n) => [n, item[n]]));
  }

  async function transact(headers: IncomingHttpHeaders, body: string): Promise<Reply> {
    const items = ((JSON.parse(body) as Json).TransactItems ?? []) as Array<Record<string, Json>>;
    const undo: Array<() => Promise<unknown>> = [];
    const rollback = async () => {
      for (const step of undo.reverse()) await step();
    };
    for (let i = 0; i < items.length; i++) {
      const [kind, spec] = Object.entries(items[i]!)[0] ?? [];
      if (!kind || !spec)
        return validation('a TransactItem needs one of Put, Update, Delete, ConditionCheck');
      const table = String(spec.TableName);
      const common = {
        TableName: table,
        ...(spec.ConditionExpression ? { ConditionExpression: spec.ConditionExpression } : {}),
        ...(spec.ExpressionAttributeNames ? { ExpressionAttributeNames: spec.ExpressionAttributeNames } : {}),
        ...(spec.ExpressionAttributeValues
          ? { ExpressionAttributeValues: spec.ExpressionAttributeValues }
          : {}),
        ReturnValues: 'ALL_OLD',
      };
      let result: Awaited<ReturnType<typeof call>>;
      let key: Item;
      if (kind === 'Put') {
        key = await keyOf(headers, table, spec.Item as Item);
        result = await call(headers, 'PutItem', { ...common, Item: spec.Item });
      } else if (kind === 'Update' || kind === 'ConditionCheck') {
        key = spec.Key as Item;
        // A ConditionCheck is an update that changes nothing: it creates a key-only item when none
        // exists, which the undo below deletes again.
        result = await call(headers, 'UpdateItem', {
          ...common,
          Key: key,
          ...(kind === 'Update' ? { UpdateExpression: spec.UpdateExpression } : {}),
        });
      } else if (kind === 'Delete') {
        key = spec.Key as Item;
        result = await call(headers, 'DeleteItem', { ...common, Key: key });
      } else return validation(`unknown TransactItem ${kind}`);

      if (!result.ok) {
        await rollback();
        const type = String(result.body.__type ?? '');
        if (!type.endsWith('#ConditionalCheckFailedException')) return result.reply;
        const reasons = items.map((_, j) =>
          j === i
            ? { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }
            : { Code: 'None' },
        );
        return {
          status: 400,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
            message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
            CancellationReasons: reasons,
          }),
        };
      }
      const old = result.body.Attributes as Item | undefined;
      const stepKey = key;
      undo.push(() =>
        old
          ? call(headers, 'PutItem', { TableName: table, Item: old })
          : kind === 'Delete'
            ? Promise.resolve()
            : call(headers, 'DeleteItem', { TableName: table, Key: stepKey }),
      );
    }
    return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: '{}' };
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const op = String(req.headers['x-amz-target'] ?? '').slice(PREFIX.length);
      const work = (): Promise<Reply> =>
        size > MAX_BODY_BYTES
          ? Promise.resolve(validation('request too large'))
          : op === 'TransactWriteItems'
            ? transact(req.headers, body)
            : forward(req.headers, body);
      (WRITES.has(op) ? serially(work) : work()).then(
        (reply) => {
          res.writeHead(reply.status, reply.headers);
          res.end(reply.body);
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(
            JSON.stringify({
              __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
              message: String(error),
            }),
          );
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
    },
  };
}

function validation(message: string): Reply {
  return {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify({ __type: 'com.amazon.coral.validate#ValidationException', message }),
  };
}
