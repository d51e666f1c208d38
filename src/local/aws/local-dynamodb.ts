import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { startDynamoTransactions } from './dynamodb-transactions.ts';

/**
 * DynamoDB on this machine for the real client: dynalite on a loopback port (in memory, or LevelDB
 * under `path`), behind the TransactWriteItems front dynalite 4.0.0 lacks (dynamodb-transactions.ts),
 * with a table keyed like serverless.yml's runs table (string `pk`, `sk`). `airless standalone`
 * keeps its runs here; the tests of the run store, gates and API use the same.
 */
export interface LocalDynamo {
  client: DynamoDBClient;
  close(): Promise<void>;
}

export interface LocalDynamoOptions {
  table: string;
  /** Keep the data on disk here; in memory without it. */
  path?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export async function startLocalDynamo(options: LocalDynamoOptions): Promise<LocalDynamo> {
  if (options.path !== undefined) await mkdir(options.path, { recursive: true });
  const server = dynalite({
    ...(options.path !== undefined ? { path: options.path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const front = await startDynamoTransactions(`http://127.0.0.1:${port}`);
  const client = new DynamoDBClient({
    endpoint: front.endpoint,
    region: options.region ?? 'us-east-1',
    credentials: options.credentials ?? { accessKeyId: 'airless-local', secretAccessKey: 'airless-local' },
  });
  const close = async (): Promise<void> => {
    client.destroy();
    await front.close();
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await stopped;
  };
  try {
    await client.send(
      new CreateTableCommand({
        TableName: options.table,
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
  } catch (error) {
    // A table kept on disk from an earlier start.
    if (!(error instanceof ResourceInUseException)) {
      await close();
      throw error;
    }
  }
  return { client, close };
}
