import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureApiBackend } from '../../src/azure/api-backend.ts';
import { RunIndex } from '../../src/azure/run-index.ts';
import { BlobTryLogs } from '../../src/azure/try-logs.ts';
import { BlobPlanStore } from '../../src/azure/plan-store.ts';
import { registerDagBlob } from '../../src/azure/register-dag.ts';
import { startAzurite, type Azurite } from './azurite.ts';

// The backend's registry and record methods on Azurite; none of them touches the Durable client,
// so no host runs here (test/azure/api-e2e.test.ts covers runs).
let azurite: Azurite;
let store: BlobPlanStore;
let backend: AzureApiBackend;
const NOW = new Date('2026-03-01T10:00:00Z');

const dag = (extra = ''): string => `dag_id: versioned\ntasks:\n  a: { operator: empty }${extra}\n`;
const register = (name: string, text: string) => registerDagBlob(store, name, text, NOW);

beforeAll(async () => {
  azurite = await startAzurite();
  store = new BlobPlanStore(azurite.service);
  await store.ensureContainers();
  backend = new AzureApiBackend({
    client: null as never,
    store,
    runs: new RunIndex(store.records),
    logs: new BlobTryLogs(store.state),
    handleTask: () => Promise.reject(new Error('no handler here')),
    now: () => NOW,
  });
});

afterAll(async () => {
  await azurite?.stop();
});

describe('AzureApiBackend: DAGs, versions, pause, import errors, backfills', () => {
  it('counts versions per DAG: a changed upload is the next version, the same source again is not', async () => {
    await register('versioned.yaml', dag());
    expect((await backend.getDag('versioned'))!.version).toBe(1);
    await register('versioned.yaml', dag());
    expect((await backend.getDag('versioned'))!.version).toBe(1);
    await register('versioned.yaml', dag('\n  b: { operator: empty }'));
    const v2 = (await backend.getDag('versioned'))!;
    expect(v2).toMatchObject({
      version: 2,
      fileloc: 'versioned.yaml',
      is_paused: false,
      has_import_errors: false,
    });
    expect(v2.plan.tasks.map((t) => t.task_id)).toEqual(['a', 'b']);
  });

  it('an invalid upload keeps the live version, shows in importErrors as file:line:col with a stable id', async () => {
    await register('versioned.yaml', 'dag_id: versioned\ntasks:\n  a: { operator: nope }\n');
    const dagEntry = (await backend.getDag('versioned'))!;
    expect(dagEntry).toMatchObject({ version: 2, has_import_errors: true });
    const [first] = await backend.importErrors();
    expect(first!.filename).toBe('versioned.yaml');
    expect(first!.stack_trace).toMatch(/^versioned\.yaml:3:\d+: error: /);
    await register('broken.yaml', 'dag_id: broken\ntasks: 7\n');
    await register('versioned.yaml', 'dag_id: versioned\ntasks:\n  a: { operator: nada }\n');
    const errors = await backend.importErrors();
    expect(errors.map((e) => [e.id, e.filename])).toEqual([
      [first!.id, 'versioned.yaml'],
      [first!.id + 1, 'broken.yaml'],
    ]);
    await register('versioned.yaml', dag('\n  b: { operator: empty }'));
    expect((await backend.importErrors()).map((e) => e.filename)).toEqual(['broken.yaml']);
    expect((await backend.getDag('versioned'))!.has_import_errors).toBe(false);
  });

  it('pauses and unpauses; a new version of a paused DAG stays paused; an unknown DAG is null', async () => {
    expect((await backend.setPaused('versioned', true))!.is_paused).toBe(true);
    await register('versioned.yaml', dag('\n  c: { operator: empty }'));
    expect(await backend.getDag('versioned')).toMatchObject({ is_paused: true, version: 3 });
    expect((await backend.setPaused('versioned', false))!.is_paused).toBe(false);
    expect((await store.getLive('versioned'))!.is_paused).toBe(false);
    expect(await backend.setPaused('nope', true)).toBeNull();
    expect((await backend.listDags()).map((d) => d.dag_id)).toEqual(['versioned']);
  });

  it('backfills: concurrent creates get distinct ids from the counter; get, list by DAG, update', async () => {
    const base = {
      from_date: '2026-01-01T00:00:00Z',
      to_date: '2026-01-05T00:00:00Z',
      run_backwards: false,
      dag_run_conf: {},
      reprocess_behavior: 'none' as const,
      max_active_runs: 2,
      is_paused: false,
      created_at: NOW.toISOString(),
      completed_at: null,
      updated_at: NOW.toISOString(),
      decided_through: null,
    };
    const made = await Promise.all(
      Array.from({ length: 6 }, (_, i) => backend.createBackfill({ ...base, dag_id: i % 2 ? 'a' : 'b' })),
    );
    expect(made.map((b) => b.id).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await backend.listBackfills('a')).every((b) => b.dag_id === 'a')).toBe(true);
    expect(await backend.listBackfills(null)).toHaveLength(6);
    const one = (await backend.getBackfill(3))!;
    await backend.updateBackfill({ ...one, is_paused: true, completed_at: NOW.toISOString() });
    expect(await backend.getBackfill(3)).toMatchObject({
      id: 3,
      is_paused: true,
      completed_at: NOW.toISOString(),
    });
    expect(await backend.getBackfill(99)).toBeNull();
  });

  it('the run index: a repeated record keeps the entry; of concurrent re-runs exactly one claims the next attempt', async () => {
    const runs = new RunIndex(store.records);
    await Promise.all([runs.record('versioned', 'r1'), runs.record('versioned', 'r1')]);
    expect(await runs.get('versioned', 'r1')).toEqual({
      dag_run_id: 'r1',
      instance: 'versioned:r1',
      attempts: 1,
    });
    const claims = await Promise.all(
      Array.from({ length: 5 }, () => runs.claimAttempt('versioned', 'r1', 1)),
    );
    expect(claims.filter((c) => c !== null)).toEqual([2]);
    await runs.record('versioned', 'r1');
    expect(await runs.latestInstance('versioned', 'r1')).toBe('versioned:r1!2');
    expect(await runs.latestInstance('versioned', 'unindexed')).toBe('versioned:unindexed');
    await runs.record('versioned', 'scheduled__2026-01-01T00:00:00+00:00');
    expect((await runs.list('versioned')).map((r) => r.instance).sort()).toEqual([
      'versioned:r1',
      'versioned@2026-01-01T00:00:00+00:00',
    ]);
  });
});
