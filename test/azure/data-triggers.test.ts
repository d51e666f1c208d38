import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerApp } from '../../functions/app.ts';
import { compileDag } from '../../src/aws/registry/compile-dag.ts';
import { BlobPlanStore } from '../../src/azure/plan-store.ts';
import type { RunInput } from '../../src/azure/contract.ts';
import { registerDagBlob } from '../../src/azure/register-dag.ts';
import { formatDiagnostic } from '../../src/dag/diagnostics.ts';
import { openLocalDurable, type LocalDurable } from '../../src/local/azure/index.ts';
import { startAzurite, type Azurite } from './azurite.ts';

// Storage is Azurite, the Durable runtime is the local host; the Event Grid trigger is invoked as
// the Functions host invokes it, with a Microsoft.Storage.BlobCreated event in Event Grid's schema.
// No task runs a job here (empty tasks), so the task handler core is never called.
let azurite: Azurite;
let local: LocalDurable;
let store: BlobPlanStore;
const NOW = new Date('2026-03-01T10:00:00Z');

const INGEST = `dag_id: ingest
params:
  container: { type: string }
triggers:
  - blob: { container: landing, prefix: incoming/, suffix: .csv }
tasks:
  load: { operator: empty }
`;
const OTHER = `dag_id: other\ntriggers:\n  - blob: { container: elsewhere }\ntasks:\n  load: { operator: empty }\n`;
const PAUSED = `dag_id: paused\ntriggers:\n  - blob: { container: landing }\ntasks:\n  load: { operator: empty }\n`;

const blobCreated = (container: string, name: string, eTag: string, size = 42) => ({
  topic:
    '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/data',
  subject: `/blobServices/default/containers/${container}/blobs/${name}`,
  eventType: 'Microsoft.Storage.BlobCreated',
  eventTime: '2026-03-01T10:00:00.000Z',
  id: `evt-${container}-${name}-${eTag}`,
  data: {
    api: 'PutBlob',
    eTag,
    contentType: 'text/csv',
    contentLength: size,
    blobType: 'BlockBlob',
    url: `https://data.blob.core.windows.net/${container}/${name}`,
    sequencer: '0000000000000000000000000000049300000000011203480',
  },
  dataVersion: '',
  metadataVersion: '1',
});

async function deliver(event: unknown): Promise<unknown> {
  const reg = local.host.registration('dataTrigger')!;
  return reg.handler(event, local.host.invocationContext('dataTrigger', reg));
}

const runsOf = (dagId: string): string[] =>
  [...local.host.instances.keys()].filter((id) => id.startsWith(`${dagId}:`) && !id.includes('|'));

beforeAll(async () => {
  azurite = await startAzurite();
  store = new BlobPlanStore(azurite.service);
  await store.ensureContainers();
  local = await openLocalDurable({
    clock: 'real',
    register: () =>
      registerApp({
        store,
        handleTask: () => Promise.reject(new Error('no job runs in these tests')),
        now: () => NOW,
      }),
  });
  for (const [name, text] of [
    ['ingest.yaml', INGEST],
    ['other.yaml', OTHER],
    ['paused.yaml', PAUSED],
  ] as const) {
    expect((await registerDagBlob(store, name, text, NOW)).ok).toBe(true);
  }
  await store.setLive({ ...(await store.getLive('paused'))!, is_paused: true });
});

afterAll(async () => {
  await local?.close();
  await azurite?.stop();
});

describe('data triggers on Azure: Event Grid BlobCreated events start runs', () => {
  it('a blob matching a trigger starts one run with conf {container, name, size, etag}', async () => {
    await deliver(blobCreated('landing', 'incoming/2026/day.csv', '0x8D7EC6F2FA3078F', 10892));
    const runs = runsOf('ingest');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatch(/^ingest:asset_triggered__[0-9a-f]{24}$/);
    const input = local.host.status(runs[0]!)!.input as RunInput;
    expect(input.run.conf).toEqual({
      container: 'landing',
      name: 'incoming/2026/day.csv',
      size: 10892,
      etag: '0x8D7EC6F2FA3078F',
    });
    expect(input.run.params).toEqual({ container: 'landing' });
    expect(input.trigger?.run_type).toBe('asset_triggered');
  });

  it('a redelivered event starts nothing new; a new version of the blob (new etag) is a new run', async () => {
    const event = blobCreated('landing', 'incoming/2026/day.csv', '0x8D7EC6F2FA3078F', 10892);
    await deliver(event);
    await deliver(event);
    expect(runsOf('ingest')).toHaveLength(1);
    await deliver(blobCreated('landing', 'incoming/2026/day.csv', '0x8D7EC6F2FA30790', 10900));
    expect(runsOf('ingest')).toHaveLength(2);
  });

  it('blobs outside the prefix, suffix or container, folder markers and other event types start nothing', async () => {
    const before = local.host.instances.size;
    await deliver(blobCreated('landing', 'outgoing/day.csv', '0x1'));
    await deliver(blobCreated('landing', 'incoming/day.json', '0x2'));
    await deliver(blobCreated('landing2', 'incoming/day.csv', '0x3'));
    await deliver(blobCreated('landing', 'incoming/dir.csv/', '0x4'));
    await deliver({
      ...blobCreated('landing', 'incoming/x.csv', '0x5'),
      eventType: 'Microsoft.Storage.BlobDeleted',
    });
    // The airless containers are never data, whatever a trigger says.
    await deliver(blobCreated('dags', 'incoming/x.csv', '0x6'));
    expect(local.host.instances.size).toBe(before);
    expect(runsOf('other')).toEqual([]);
  });

  it('a paused DAG starts nothing, and stays paused when a new version is uploaded', async () => {
    await deliver(blobCreated('landing', 'incoming/p.csv', '0x7'));
    expect(runsOf('paused')).toEqual([]);
    expect((await registerDagBlob(store, 'paused.yaml', `${PAUSED}description: v2\n`, NOW)).ok).toBe(true);
    expect((await store.getLive('paused'))?.is_paused).toBe(true);
    await deliver(blobCreated('landing', 'incoming/p.csv', '0x8'));
    expect(runsOf('paused')).toEqual([]);
    // Unpaused, the same DAG's trigger fires.
    await store.setLive({ ...(await store.getLive('paused'))!, is_paused: false });
    await deliver(blobCreated('landing', 'incoming/p.csv', '0x9'));
    expect(runsOf('paused')).toHaveLength(1);
  });

  it('a malformed event is refused, not half-handled', async () => {
    await expect(
      deliver({ eventType: 'Microsoft.Storage.BlobCreated', subject: 'nope', data: {} }),
    ).rejects.toThrow(/BlobCreated/);
  });
});

describe('a trigger of the other cloud is refused at registration', () => {
  it('Azure: an s3 trigger', async () => {
    const text = `dag_id: s3dag\ntriggers:\n  - s3: { bucket: b }\ntasks:\n  a: { operator: empty }\n`;
    const r = await registerDagBlob(store, 's3dag.yaml', text, NOW);
    expect(r.ok).toBe(false);
    expect(await store.getLive('s3dag')).toBeNull();
    expect((await store.getErrors('s3dag'))!.diagnostics.map(formatDiagnostic)).toEqual([
      's3dag.yaml:3:5: error: triggers[0]: s3 triggers run on AWS only; on Azure use blob: { container, prefix, suffix }',
    ]);
  });

  it("Azure: a blob trigger on airless's own containers", async () => {
    const text = `dag_id: own\ntriggers:\n  - blob: { container: landing }\n  - blob: { container: dags }\n  - blob: { container: airless }\ntasks:\n  a: { operator: empty }\n`;
    expect((await registerDagBlob(store, 'own.yaml', text, NOW)).ok).toBe(false);
    expect((await store.getErrors('own'))!.diagnostics.map(formatDiagnostic)).toEqual([
      "own.yaml:4:24: error: triggers[1].blob.container: 'dags' is where airless keeps DAG files and its own records; it never starts runs",
      "own.yaml:5:24: error: triggers[2].blob.container: 'airless' is where airless keeps DAG files and its own records; it never starts runs",
    ]);
  });

  it('AWS: a blob trigger', () => {
    const text = `dag_id: blobdag\ntriggers:\n  - blob: { container: abc }\ntasks:\n  a: { operator: empty }\n`;
    const r = compileDag(text, 'blobdag.yaml', NOW);
    expect(r.ok).toBe(false);
    expect(r.ok === false && r.diagnostics.map(formatDiagnostic)).toEqual([
      'blobdag.yaml:3:5: error: triggers[0]: blob triggers run on Azure only; on AWS use s3: { bucket, prefix, suffix }',
    ]);
  });
});
