import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerApp } from '../../functions/app.ts';
import { BlobPlanStore } from '../../src/durable/plan-store.ts';
import { AirlessError } from '../../src/errors.ts';
import type { TaskInvocation } from '../../src/handlers/contract.ts';
import { serveHttpFunctions } from '../../src/local/durable-host/functions-http.ts';
import { openLocalDurable, type LocalDurable } from '../../src/local/durable-host/index.ts';
import { HOSTILE_DAG, itAnswersEveryHostileCase } from '../shared/hostile-run-requests.ts';
import { startAzurite, type Azurite } from './azurite.ts';

// The Azure HTTP API against the same hostile requests as the AWS one: storage on Azurite, the
// local Durable host (real clock), requests over 127.0.0.1 into the registered Functions. Only the
// task handler core is scripted at its seam (handleTask): the 'held' DAG's job never ends, so its
// runs stay running while concurrent requests race.
let azurite: Azurite;
let local: LocalDurable;
let stopHost: () => Promise<void>;
let api: { url: string; close: () => Promise<void> };

const HELD_DAG = `dag_id: held
tasks:
  a:
    operator: genie
    endpoint: https://genie.example.com
    command_tags: [type:spark-submit]
    cluster_tags: [sched:adhoc]
    command_arguments: app.jar
    poke_interval: 1s
`;

const handleTask = async (inv: TaskInvocation): Promise<unknown> => {
  if (inv.op === 'submit') {
    return {
      job: { operator: 'genie', job_name: inv.run.run_id, job_id: 'g', handle: {}, submitted_at: 'x' },
    };
  }
  if (inv.op === 'cancel') return { output: { status: 'KILLED' } };
  throw new AirlessError('StillRunning', 'running');
};

async function post(
  body: string,
  dagId = 'hostile',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api.url}/dags/${dagId}/runs`, { method: 'POST', body });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed };
}

beforeAll(async () => {
  azurite = await startAzurite();
  const store = new BlobPlanStore(azurite.service);
  await store.ensureContainers();
  local = await openLocalDurable({
    clock: 'real',
    register: () => registerApp({ store, handleTask }),
  });
  stopHost = local.host.serve();
  api = await serveHttpFunctions(local.host);
  for (const [name, text] of [
    ['hostile.yaml', HOSTILE_DAG],
    ['held.yaml', HELD_DAG],
  ] as const) {
    await store.sources.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));
    const reg = local.host.registration('registerDag')!;
    await reg.handler(Buffer.from(text), local.host.invocationContext('registerDag', reg, { name }));
  }
});

afterAll(async () => {
  await api?.close();
  await stopHost?.();
  await local?.close();
  await azurite?.stop();
});

describe('Azure HTTP API: hostile trigger requests', () => {
  itAnswersEveryHostileCase((body) => post(body));

  it('20 identical requests at once: all 200, the same run', async () => {
    const body = JSON.stringify({ dag_run_id: 'same' });
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(body, 'held')));
    expect(answers.filter((a) => a.status !== 200).map((a) => [a.status, a.body])).toEqual([]);
    expect(new Set(answers.map((a) => a.body.instance_id))).toEqual(new Set(['held:same']));
    expect(local.host.status('held:same')?.runtimeStatus).toBe('Running');
    expect((await post(JSON.stringify({ dag_run_id: 'same', conf: { x: 1 } }), 'held')).status).toBe(409);
    const cancelled = await fetch(`${api.url}/dags/held/runs/same/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
  });
});
