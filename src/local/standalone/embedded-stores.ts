import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { startLocalDynamo } from '../aws/local-dynamodb.ts';

/**
 * The two stores of the AWS control plane, embedded and kept on disk under the state directory:
 * dynalite (DynamoDB on LevelDB, `<state>/dynamodb`) holds the runs table (runs, queues, slots,
 * gates), s3rver (`<state>/s3`) holds the DAG bucket (sources, compiled plans, registry entries,
 * import errors). Both listen on loopback ports chosen at start; the real SDK clients talk to them.
 */
export const RUNS_TABLE = 'airless-runs';
export const DAG_BUCKET = 'airless-dags';

/** Credentials the local stores accept; they guard nothing and reach nothing else. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'airless-local', secretAccessKey: 'airless-local' };
export const LOCAL_REGION = 'us-east-1';

export interface EmbeddedStores {
  dynamodb: DynamoDBClient;
  s3: S3Client;
  close(): Promise<void>;
}

async function startS3rver(directory: string) {
  await mkdir(directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    resetOnClose: false,
    configureBuckets: [{ name: DAG_BUCKET, configs: [] }],
  });
  const { port } = await server.run();
  const client = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    region: LOCAL_REGION,
    // The only key pair s3rver accepts.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // s3rver stores aws-chunked bodies verbatim; send plain bodies.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    client,
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
}

export async function startEmbeddedStores(state: string): Promise<EmbeddedStores> {
  const dynamo = await startLocalDynamo({
    table: RUNS_TABLE,
    path: join(state, 'dynamodb'),
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const s3 = await startS3rver(join(state, 's3')).catch(async (error: unknown) => {
    await dynamo.close();
    throw error;
  });
  return {
    dynamodb: dynamo.client,
    s3: s3.client,
    async close() {
      await Promise.all([s3.close(), dynamo.close()]);
    },
  };
}
