import type { AddressInfo } from 'node:net';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  type TransactWriteItemsCommandInput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

/** dynalite (in memory) on an ephemeral loopback port: a DynamoDB API for the real client. */
export interface LocalDynamo {
  client: DynamoDBClient;
  close(): Promise<void>;
}

type Key = Record<string, AttributeValue>;

/**
 * dynalite 4.0.0 has no TransactWriteItems. The returned client gets it in a middleware: every
 * request of that client is serialised, and a transaction runs its writes one by one, each with its
 * own condition checked by dynalite, restoring the items already written when one fails, then
 * answers as DynamoDB does (TransactionCanceledException with a reason per item). Atomic and
 * isolated for everything sent through this client, which is all the code under test uses.
 */
function withTransactions(client: DynamoDBClient, raw: DynamoDBClient): void {
  let tail: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
  async function transact(input: TransactWriteItemsCommandInput): Promise<Record<string, unknown>> {
    const done: Array<{ table: string; key: Key; old: Record<string, AttributeValue> | undefined }> = [];
    const items = input.TransactItems ?? [];
    for (const [i, item] of items.entries()) {
      const write = item.Put ?? item.Update ?? item.Delete;
      if (!write || item.ConditionCheck)
        throw new Error('this TransactWriteItems shim takes Put, Update, Delete');
      const source = item.Put ? item.Put.Item! : (item.Update ?? item.Delete)!.Key!;
      const key: Key = { pk: source.pk!, sk: source.sk! };
      const table = write.TableName!;
      const old = (await raw.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true })))
        .Item;
      try {
        if (item.Put) await raw.send(new PutItemCommand(item.Put));
        else if (item.Update) await raw.send(new UpdateItemCommand(item.Update));
        else await raw.send(new DeleteItemCommand(item.Delete!));
      } catch (error) {
        for (const undo of done.reverse()) {
          if (undo.old) await raw.send(new PutItemCommand({ TableName: undo.table, Item: undo.old }));
          else await raw.send(new DeleteItemCommand({ TableName: undo.table, Key: undo.key }));
        }
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        throw new TransactionCanceledException({
          message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
          $metadata: {},
          CancellationReasons: items.map((_, j) =>
            j === i
              ? { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }
              : { Code: 'None' },
          ),
        });
      }
      done.push({ table, key, old });
    }
    return { $metadata: {} };
  }
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand') {
        const output = await serially(() => transact(args.input as TransactWriteItemsCommandInput));
        return { output: output as never, response: {} };
      }
      return serially(() => next(args));
    },
    { step: 'initialize', name: 'dynaliteTransactWriteItems' },
  );
}

/** Starts dynalite with one table keyed like the runs table (string `pk`, `sk`). */
export async function startDynamo(table: string): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const config = {
    endpoint: `http://127.0.0.1:${port}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'dynalite', secretAccessKey: 'dynalite' },
  };
  const client = new DynamoDBClient(config);
  const raw = new DynamoDBClient(config);
  withTransactions(client, raw);
  await client.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  return {
    client,
    async close() {
      client.destroy();
      raw.destroy();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
