import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { isDagFileName } from '../../../src/cli/dag-files.ts';
import { DagBucket } from '../../../src/handlers/registry/dag-bucket.ts';
import type { Registration } from '../../../src/handlers/registry/register-dag.ts';
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
