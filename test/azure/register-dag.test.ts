import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobPlanStore } from '../../src/azure/plan-store.ts';
import { registerDagBlob } from '../../src/azure/register-dag.ts';
import { compileDag } from '../../src/aws/registry/compile-dag.ts';
import { startAzurite, type Azurite } from './azurite.ts';
import { genieTask, planFromYaml } from './helpers.ts';

let azurite: Azurite;
let store: BlobPlanStore;
beforeAll(async () => {
  azurite = await startAzurite();
  store = new BlobPlanStore(azurite.service);
  await store.ensureContainers();
});
afterAll(async () => {
  await azurite?.stop();
});

const NOW = new Date('2026-03-01T10:00:00Z');
const v1 = `dag_id: blobby\nschedule: "@daily"\ntasks:\n  a:${genieTask('')}\n`;
const v2 = `dag_id: blobby\nschedule: "@hourly"\ntasks:\n  a:${genieTask('')}\n  b:\n    operator: empty\n    depends_on: [a]\n`;
const broken = `dag_id: blobby\ntasks:\n  a:${genieTask('')}\n    depends_on: [nope]\n    retires: 3\n`;

describe('DAG registration from the dags container (Azurite)', () => {
  it('a valid upload is compiled, stored by content hash and made live', async () => {
    const r = await registerDagBlob(store, 'blobby.yaml', v1, NOW);
    expect(r.ok).toBe(true);
    const live = await store.getLive('blobby');
    const expected = planFromYaml(v1);
    expect(live).toMatchObject({
      dag_id: 'blobby',
      source_sha256: expected.source_sha256,
      plan_blob: `plans/blobby/${expected.source_sha256}.json`,
      schedule: { kind: 'cron', source: '@daily' },
    });
    expect(await store.getPlan(live!)).toEqual(expected);
    expect(await store.getErrors('blobby')).toBeNull();
  });

  it('an invalid upload leaves the live plan untouched and writes errors/<dag_id>.json', async () => {
    const before = await store.getLive('blobby');
    const r = await registerDagBlob(store, 'blobby.yaml', broken, NOW);
    expect(r.ok).toBe(false);
    expect(await store.getLive('blobby')).toEqual(before);
    const errors = await store.getErrors('blobby');
    expect(errors?.source_blob).toBe('blobby.yaml');
    const messages = errors!.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`);
    expect(messages.some((m) => /nope/.test(m))).toBe(true);
    expect(messages.some((m) => /retires/.test(m))).toBe(true);
  });

  it('a new version becomes live, clears the errors, and the old plan stays readable for runs that pinned it', async () => {
    const old = (await store.getLive('blobby'))!;
    const r = await registerDagBlob(store, 'blobby.yaml', v2, NOW);
    expect(r.ok).toBe(true);
    const live = (await store.getLive('blobby'))!;
    expect(live.source_sha256).not.toBe(old.source_sha256);
    expect((await store.getPlan(live)).tasks.map((t) => t.task_id)).toEqual(['a', 'b']);
    expect((await store.getPlan(old)).tasks.map((t) => t.task_id)).toEqual(['a']);
    expect(await store.getErrors('blobby')).toBeNull();
    expect((await store.listLive()).map((e) => e.dag_id)).toEqual(['blobby']);
  });

  it('ignores blobs that are not DAG files at the top of the container', async () => {
    expect((await registerDagBlob(store, 'notes/readme.yaml', v1, NOW)).ok).toBe('ignored');
    expect((await registerDagBlob(store, 'data.csv', 'a,b', NOW)).ok).toBe('ignored');
  });

  it('refuses what the AWS registration refuses, with the same diagnostics and dag_id', async () => {
    const uploads: Array<[string, string]> = [
      // A tick has no conf, so a scheduled DAG needs a valid default for every param.
      [
        'needs_conf.yaml',
        `dag_id: needs_conf\nschedule: "@daily"\nparams:\n  day:\n    type: string\ntasks:\n  a:${genieTask('')}\n`,
      ],
      // Unreadable: the dag_id comes from the file name, or a fixed one when the name cannot be one.
      ['Broken File.yaml', 'tasks: [\n'],
      [`${'x'.repeat(80)}.yaml`, 'tasks: [\n'],
    ];
    for (const [blob, text] of uploads) {
      const aws = compileDag(text, blob, NOW);
      const azure = await registerDagBlob(store, blob, text, NOW);
      expect(aws.ok, blob).toBe(false);
      expect(azure.ok, blob).toBe(false);
      if (aws.ok || azure.ok !== false) continue;
      expect(azure.dag_id, blob).toBe(aws.dagId);
      expect(azure.diagnostics, blob).toEqual(aws.diagnostics);
    }
  });
});
