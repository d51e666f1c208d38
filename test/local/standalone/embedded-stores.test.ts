import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDbRunStore } from '../../../src/aws/dynamodb-run-store.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { isDagFileName } from '../../../src/cli/dag-files.ts';
import { DagBucket } from '../../../src/aws/registry/dag-bucket.ts';
import type { Registration } from '../../../src/aws/registry/register-dag.ts';
import { watchDags } from '../../../src/local/standalone/dag-watcher.ts';
import {
  DAG_BUCKET,
  RUNS_TABLE,
  startEmbeddedStores,
} from '../../../src/local/standalone/embedded-stores.ts';

const dirs: string[] = [];
const tmp = async (prefix: string) => {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('embedded stores', () => {
  it('keep the runs table and the DAG bucket on disk across a restart', async () => {
    const state = await tmp('airless-state-');
    const first = await startEmbeddedStores(state);
    await first.dynamodb.send(
      new PutItemCommand({
        TableName: RUNS_TABLE,
        Item: { pk: { S: 'DAG#a' }, sk: { S: 'RUN#1' }, v: { S: 'x' } },
      }),
    );
    await new DagBucket(first.s3, DAG_BUCKET).putText('dags/a.yaml', 'dag_id: a\n');
    await first.close();

    const second = await startEmbeddedStores(state);
    try {
      const item = await second.dynamodb.send(
        new GetItemCommand({ TableName: RUNS_TABLE, Key: { pk: { S: 'DAG#a' }, sk: { S: 'RUN#1' } } }),
      );
      expect(item.Item?.v?.S).toBe('x');
      expect(await new DagBucket(second.s3, DAG_BUCKET).getText('dags/a.yaml')).toBe('dag_id: a\n');
    } finally {
      await second.close();
    }
  });
});

describe('DAG folder watcher', () => {
  it('uploads and registers new, edited and removed files, skipping confs and seeds', async () => {
    const [state, dags] = [await tmp('airless-state-'), await tmp('airless-dags-')];
    const stores = await startEmbeddedStores(state);
    const bucket = new DagBucket(stores.s3, DAG_BUCKET);
    const registered: Array<[string, string | null]> = [];
    const register = async (key: string): Promise<Registration> => {
      registered.push([key, await bucket.getText(key)]);
      return { action: 'ignored', key, reason: 'test' };
    };
    await writeFile(join(dags, 'a.yaml'), 'one');
    await writeFile(join(dags, 'a.conf.json'), '{}');
    const lines: string[] = [];
    let watcher = await watchDags({
      directory: dags,
      bucket,
      register,
      isDagFile: isDagFileName,
      intervalMs: 50,
      print: (l) => lines.push(l),
    });
    try {
      await watcher.settled();
      expect(registered).toEqual([['dags/a.yaml', 'one']]);
      await writeFile(join(dags, 'a.yaml'), 'two');
      await expect.poll(() => registered.length).toBe(2);
      expect(registered[1]).toEqual(['dags/a.yaml', 'two']);
      await watcher.close();

      // Removed while not watching: the next start deletes and deregisters it.
      await unlink(join(dags, 'a.yaml'));
      watcher = await watchDags({
        directory: dags,
        bucket,
        register,
        isDagFile: isDagFileName,
        intervalMs: 50,
        print: (l) => lines.push(l),
      });
      await watcher.settled();
      expect(registered[2]).toEqual(['dags/a.yaml', null]);
      expect(lines.every((l) => l.startsWith('dags/a.yaml: ignored'))).toBe(true);
    } finally {
      await watcher.close();
      await stores.close();
    }
  });
});

describe('TransactWriteItems in front of dynalite', () => {
  it('runs the DynamoDB run store: one queued run per id, a queue entry with it, a slot released on finish', async () => {
    const state = await tmp('airless-state-');
    const stores = await startEmbeddedStores(state);
    try {
      const store = new DynamoDbRunStore(stores.dynamodb, RUNS_TABLE);
      const spec = {
        dag_id: 'etl',
        run_id: 'r1',
        run_type: 'manual' as const,
        logical_date: '2026-12-03T00:00:00+00:00',
        conf: {},
        params: {},
        request_hash: 'h',
        queued_at: '2026-12-03T00:00:00.000Z',
        execution_name: 'r1',
      };
      expect((await store.createQueuedRun(spec)).created).toBe(true);
      expect((await store.createQueuedRun(spec)).created).toBe(false);
      expect(await store.queueLength('etl')).toBe(1);
      expect(await store.tryAcquireSlot('etl', 1)).toBe(true);
      expect(await store.dequeueOldest('etl')).toBe('r1');
      expect(await store.markRunning('etl', 'r1', 'arn:x', '2026-12-03T00:00:01+00:00')).toBe(true);
      expect(await store.finish('etl', 'r1', 'success', '2026-12-03T00:00:02+00:00', true)).toBe(true);
      // Already final: the transaction is cancelled and nothing changes, the slot is not released twice.
      expect(await store.finish('etl', 'r1', 'failed', '2026-12-03T00:00:03+00:00', true)).toBe(false);
      expect((await store.getRun('etl', 'r1'))?.state).toBe('success');
      expect(await store.tryAcquireSlot('etl', 1)).toBe(true);
      expect(await store.tryAcquireSlot('etl', 1)).toBe(false);
    } finally {
      await stores.close();
    }
  });

  it('undoes the applied items when a later one fails, and names the failed one', async () => {
    const state = await tmp('airless-state-');
    const stores = await startEmbeddedStores(state);
    try {
      const key = (sk: string) => ({ pk: { S: 'T' }, sk: { S: sk } });
      await stores.dynamodb.send(
        new PutItemCommand({ TableName: RUNS_TABLE, Item: { ...key('b'), v: { S: 'old' } } }),
      );
      const error = await stores.dynamodb
        .send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Put: { TableName: RUNS_TABLE, Item: { ...key('a'), v: { S: 'new' } } } },
              {
                Update: {
                  TableName: RUNS_TABLE,
                  Key: key('b'),
                  UpdateExpression: 'SET v = :n',
                  ExpressionAttributeValues: { ':n': { S: 'new' } },
                },
              },
              {
                ConditionCheck: {
                  TableName: RUNS_TABLE,
                  Key: key('c'),
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
            ],
          }),
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransactionCanceledException);
      expect((error as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual([
        'None',
        'None',
        'ConditionalCheckFailed',
      ]);
      const get = async (sk: string) =>
        (await stores.dynamodb.send(new GetItemCommand({ TableName: RUNS_TABLE, Key: key(sk) }))).Item?.v?.S;
      expect([await get('a'), await get('b'), await get('c')]).toEqual([undefined, 'old', undefined]);
    } finally {
      await stores.close();
    }
  });
});
