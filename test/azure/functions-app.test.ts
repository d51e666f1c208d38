import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerApp } from '../../functions/app.ts';
import { BlobPlanStore, SOURCES_CONTAINER } from '../../src/azure/plan-store.ts';
import { AirlessError } from '../../src/errors.ts';
import type { TaskInvocation } from '../../src/handlers/contract.ts';
import { serveHttpFunctions } from '../../src/local/azure/functions-http.ts';
import { openLocalDurable, type LocalDurable } from '../../src/local/azure/index.ts';
import { startAzurite, type Azurite } from './azurite.ts';

// Storage is Azurite, the Durable runtime is the local host (real clock), HTTP goes over
// 127.0.0.1 into the registered Functions; only the task handler core is a scripted fake at its
// own seam (handleTask), so jobs can be held running and their cancellation observed.
let azurite: Azurite;
let local: LocalDurable;
let stopHost: () => Promise<void>;
let api: { url: string; close: () => Promise<void> };
const calls: TaskInvocation[] = [];

const handleTask = async (inv: TaskInvocation): Promise<unknown> => {
  calls.push(inv);
  if (inv.op === 'submit') {
    return {
      job: {
        operator: 'genie',
        job_name: `${inv.task.task_id}-${inv.run.run_id}`,
        job_id: 'g1',
        handle: {},
        submitted_at: 'x',
      },
    };
  }
  if (inv.op === 'cancel') return { output: { status: 'KILLED' } };
  if (inv.run.dag_id === 'hang') throw new AirlessError('StillRunning', 'running');
  return { output: { job_id: 'g1', status: 'SUCCEEDED' } };
};

const job = (extra = ''): string => `
    operator: genie
    endpoint: https://genie.example.com
    command_tags: [type:spark-submit]
    cluster_tags: [sched:adhoc]
    command_arguments: app.jar
    poke_interval: 500ms
    max_poke_interval: 1s${extra}`;

const DAGS: Record<string, string> = {
  'quick.yaml': `dag_id: quick\nparams:\n  n: { type: integer, minimum: 1 }\ntasks:\n  a:${job()}\n  b:\n    operator: empty\n    depends_on: [a]\n`,
  'hang.yaml': `dag_id: hang\ntasks:\n  a:${job()}\n  b:${job()}\n    depends_on: [a]\n`,
  'ticks.yaml': `dag_id: ticks\nschedule: "* * * * *"\ntasks:\n  a:\n    operator: empty\n`,
};

async function upload(name: string, text: string): Promise<void> {
  const store = new BlobPlanStore(azurite.service);
  await store.sources.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));
  // The blob trigger, invoked as the Functions host would on a new blob in the dags container.
  const reg = local.host.registration('registerDag')!;
  await reg.handler(Buffer.from(text), local.host.invocationContext('registerDag', reg, { name }));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
type Json = any;
const call = async (
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> => {
  const res = await fetch(`${api.url}/api/v2${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
};

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await probe();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached in 10 s');
}

beforeAll(async () => {
  azurite = await startAzurite();
  const store = new BlobPlanStore(azurite.service);
  await store.ensureContainers();
  local = await openLocalDurable({ clock: 'real', register: () => registerApp({ store, handleTask }) });
  stopHost = local.host.serve();
  api = await serveHttpFunctions(local.host);
  for (const [name, text] of Object.entries(DAGS)) await upload(name, text);
});

afterAll(async () => {
  await api?.close();
  await stopHost?.();
  await local?.close();
  await azurite?.stop();
});

describe('the Functions app: API v2 route, blob registration, schedules', () => {
  it('lists the DAGs registered from the dags container', async () => {
    const { status, body } = await call('GET', '/dags');
    expect(status).toBe(200);
    expect(body.dags.map((d: { dag_id: string }) => d.dag_id)).toEqual(['hang', 'quick', 'ticks']);
    expect(body.dags[1]).toMatchObject({ fileloc: 'quick.yaml', is_paused: false });
    expect(SOURCES_CONTAINER).toBe('dags');
  });

  it('validates the request and the conf against the params', async () => {
    const missing = await call('POST', '/dags/quick/dagRuns', {});
    expect(missing.status).toBe(422);
    expect(missing.body.detail).toEqual([expect.objectContaining({ loc: ['body', 'conf', 'n'] })]);
    expect((await call('POST', '/dags/quick/dagRuns', { conf: { n: 0 } })).status).toBe(422);
    expect((await call('POST', '/dags/quick/dagRuns', { conf: { n: 1 }, colour: 'red' })).status).toBe(422);
    expect((await call('POST', '/dags/nope/dagRuns', {})).status).toBe(404);
    expect((await call('POST', `/dags/${encodeURIComponent('../live/quick')}/dagRuns`, {})).status).toBe(404);
    expect((await call('GET', '/dags/UPPER/dagRuns/r1')).status).toBe(404);
    const bad = await fetch(`${api.url}/api/v2/dags/quick/dagRuns`, { method: 'POST', body: '{not json' });
    expect(bad.status).toBe(422);
  });

  it('starts a run idempotently (same run id and request: same run; other request: 409) and reports it in Airflow names', async () => {
    const first = await call('POST', '/dags/quick/dagRuns', { dag_run_id: 'r1', conf: { n: 2 } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ dag_id: 'quick', dag_run_id: 'r1', run_type: 'manual' });
    expect(local.host.status('quick:r1')).toBeDefined();
    expect(['queued', 'running']).toContain(first.body.state);
    const again = await call('POST', '/dags/quick/dagRuns', { dag_run_id: 'r1', conf: { n: 2 } });
    expect(again.status).toBe(200);
    expect(again.body.dag_run_id).toBe('r1');
    expect((await call('POST', '/dags/quick/dagRuns', { dag_run_id: 'r1', conf: { n: 3 } })).status).toBe(
      409,
    );
    await until(
      () => call('GET', '/dags/quick/dagRuns/r1'),
      (r) => r.body.state === 'success',
    );
    const tis = await call('GET', '/dags/quick/dagRuns/r1/taskInstances');
    expect(
      tis.body.task_instances.map((t: { task_id: string; state: string }) => [t.task_id, t.state]),
    ).toEqual([
      ['a', 'success'],
      ['b', 'success'],
    ]);
    expect(calls.filter((c) => c.run.dag_id === 'quick' && c.op === 'submit')).toHaveLength(1);
    expect((await call('GET', '/dags/quick/dagRuns/nope')).status).toBe(404);
  });

  it('cancel terminates the run and cancels the job it started', async () => {
    expect((await call('POST', '/dags/hang/dagRuns', { dag_run_id: 'c1' })).status).toBe(200);
    await until(
      async () => calls.filter((c) => c.run.run_id === 'c1' && c.op === 'poll').length,
      (n) => n > 0,
    );
    const running = await call('GET', '/dags/hang/dagRuns/c1');
    expect(running.body.state).toBe('running');
    const tis = await call('GET', '/dags/hang/dagRuns/c1/taskInstances');
    expect(tis.body.task_instances[0]).toMatchObject({ task_id: 'a', state: 'running' });
    const cancelled = await call('PATCH', '/dags/hang/dagRuns/c1', { state: 'failed' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('failed');
    const cancel = calls.filter((c) => c.run.run_id === 'c1' && c.op === 'cancel');
    expect(cancel.map((c) => c.job?.job_name)).toEqual(['a-c1']);
    expect(local.host.status('hang:c1')?.runtimeStatus).toBe('Terminated');
    expect(local.host.status('hang:c1|a')?.runtimeStatus).toBe('Terminated');
    expect((await call('PATCH', '/dags/hang/dagRuns/c1', { state: 'failed' })).status).toBe(409);
    // The max_active_runs slot was given back on the terminated run's behalf.
    await until(
      async () => local.host.readEntity('@airless_run_slots@hang') as { holders: string[] },
      (s) => s.holders.length === 0,
    );
    const polls = calls.filter((c) => c.run.run_id === 'c1' && c.op === 'poll').length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(calls.filter((c) => c.run.run_id === 'c1' && c.op === 'poll').length).toBe(polls);
  });

  it('the schedule timer starts the due run once, as dag_id@logical_date', async () => {
    const reg = local.host.registration('scheduleTick')!;
    const tick = () => reg.handler({ isPastDue: false }, local.host.invocationContext('scheduleTick', reg));
    await tick();
    await tick();
    const scheduled = [...local.host.instances.keys()].filter((id) => id.startsWith('ticks@'));
    expect(scheduled).toHaveLength(1);
    const logical = scheduled[0]!.slice('ticks@'.length);
    expect(Date.parse(logical) % 60_000).toBe(0);
    const view = await until(
      () => call('GET', `/dags/ticks/dagRuns/${encodeURIComponent(`scheduled__${logical}`)}`),
      (r) => r.body.state === 'success',
    );
    expect(view.body).toMatchObject({ run_type: 'scheduled' });
    expect(Date.parse(view.body.logical_date)).toBe(Date.parse(logical));
  });
});
