import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulators } from '../../../src/local/emulators/index.ts';
import { startEmulators } from '../../../src/local/emulators/index.ts';

let emu: RunningEmulators;
beforeAll(async () => {
  emu = await startEmulators({ timeScale: 0.001, jobs: [{ jobName: 'forever-*', runSeconds: null }] });
});
afterAll(() => emu.close());

const jobs = () => `${emu.genieUrl}/api/v3/jobs`;

const movielens = (over: Record<string, unknown> = {}) => ({
  name: 'movielens-top-rated',
  user: 'airless',
  version: '1.0',
  clusterCriterias: [{ tags: ['emr.cluster.role:batch'] }],
  commandCriteria: ['type:spark-submit', 'version:2.4.3'],
  commandArgs: '--class org.example.TopRated s3://bucket/movielens.jar',
  ...over,
});

async function submit(body: Record<string, unknown>): Promise<Response> {
  return fetch(jobs(), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function submitOk(body: Record<string, unknown>): Promise<string> {
  const res = await submit(body);
  expect(res.status, await res.clone().text()).toBe(202);
  const location = res.headers.get('location') ?? '';
  expect(location.startsWith(`${jobs()}/`)).toBe(true);
  return location.split('/').at(-1) ?? '';
}

const get = async (path: string) => {
  const res = await fetch(`${jobs()}/${path}`);
  const text = await res.text();
  return {
    status: res.status,
    text,
    body: (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined) as Record<
      string,
      unknown
    >,
  };
};
const status = async (id: string) => (await get(`${id}/status`)).body.status;

describe('Genie v3 jobs', () => {
  it('goes ACCEPTED -> RESOLVED -> INIT -> RUNNING -> SUCCEEDED on the batch cluster with spark-submit', async () => {
    const id = await submitOk(movielens({ name: 'ml-1' }));
    expect(await status(id)).toBe('ACCEPTED');
    expect((await get(`${id}/output/stdout`)).status).toBe(404);
    emu.clock.advance(1);
    expect(await status(id)).toBe('RESOLVED');
    emu.clock.advance(1);
    expect(await status(id)).toBe('INIT');
    emu.clock.advance(2);
    expect(await status(id)).toBe('RUNNING');
    expect((await get(`${id}/output/stdout`)).text).toContain('spark-submit --class org.example.TopRated');
    emu.clock.advance(30);
    const job = (await get(id)).body;
    expect(job).toMatchObject({
      id,
      name: 'ml-1',
      status: 'SUCCEEDED',
      statusMsg: 'Job finished successfully.',
      clusterName: 'emr-batch',
      commandName: 'spark-submit',
    });
    expect(job.runtime).toBe('PT30.000S');
    expect((await get(`${id}/execution`)).body.exitCode).toBe(0);
    expect((await get(`${id}/request`)).body).toMatchObject({
      id,
      commandCriteria: ['type:spark-submit', 'version:2.4.3'],
      timeout: 604800,
    });
    expect((await get(`${id}/cluster`)).body.id).toBe('emr-batch-01');
    const listing = (await get(`${id}/output`)).body as { files: Array<{ name: string }> };
    expect(listing.files.map((f) => f.name)).toEqual(['stdout', 'stderr']);
    expect(emu.stats.submissions['ml-1']).toBe(1);
  });

  it('takes the first cluster criterion that matches, in order, and honours genie.id tags', async () => {
    const first = await submitOk(
      movielens({
        name: 'ml-order',
        clusterCriterias: [
          { tags: ['emr.cluster.role:none'] },
          { tags: ['emr.cluster.role:adhoc'] },
          { tags: ['emr.cluster.role:batch'] },
        ],
      }),
    );
    const pinned = await submitOk(
      movielens({ name: 'ml-pinned', clusterCriterias: [{ tags: ['genie.id:emr-batch-01'] }] }),
    );
    const merged = await submitOk(
      movielens({ name: 'ml-and', clusterCriterias: [{ tags: ['type:yarn', 'emr.cluster.role:batch'] }] }),
    );
    emu.clock.advance(1);
    expect((await get(first)).body.clusterName).toBe('emr-adhoc');
    expect((await get(pinned)).body.clusterName).toBe('emr-batch');
    expect((await get(merged)).body.clusterName).toBe('emr-batch');
  });

  it.each([
    ['no command has all tags', { commandCriteria: ['type:spark-submit', 'version:3.5.0'] }],
    ['no cluster matches any criterion', { clusterCriterias: [{ tags: ['emr.cluster.role:gpu'] }] }],
  ])('ends INVALID when %s', async (_label, over) => {
    const id = await submitOk(movielens({ name: 'ml-invalid', ...over }));
    emu.clock.advance(1);
    const job = (await get(id)).body;
    expect(job.status).toBe('INVALID');
    expect(String(job.statusMsg)).toMatch(/No (command|cluster)/);
  });

  it.each([
    ['missing name', { name: undefined }],
    ['empty clusterCriterias', { clusterCriterias: [] }],
    ['a criterion without tags', { clusterCriterias: [{ tags: [] }] }],
    ['blank command tags only', { commandCriteria: ['  '] }],
    ['timeout 0', { timeout: 0 }],
    ['commandArguments not a list', { commandArguments: 'a b' }],
    ['a name over 255 characters', { name: 'n'.repeat(256) }],
  ])('answers 400 for %s and counts nothing', async (_label, over) => {
    const body = movielens({ ...over });
    const res = await submit({ ...body, name: 'name' in over ? over.name : 'ml-bad' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).not.toBe('');
    expect(emu.stats.submissions['ml-bad']).toBeUndefined();
  });

  it('refuses a duplicate id with 409', async () => {
    const id = 'airless-run-1-task-a';
    expect(await submitOk(movielens({ name: 'ml-dup', id }))).toBe(id);
    expect((await submit(movielens({ name: 'ml-dup', id }))).status).toBe(409);
    expect(emu.stats.submissions['ml-dup']).toBe(1);
  });

  it('kills a running job (DELETE 202 -> KILLED); killing a finished job changes nothing', async () => {
    const id = await submitOk(movielens({ name: 'forever-kill', commandArguments: ['--a', '1'] }));
    emu.clock.advance(5);
    expect(await status(id)).toBe('RUNNING');
    expect((await get(`${id}`)).body.commandArgs).toBe('--a 1');
    expect((await fetch(`${jobs()}/${id}`, { method: 'DELETE' })).status).toBe(202);
    expect((await get(id)).body).toMatchObject({ status: 'KILLED', statusMsg: 'Job was killed by user.' });
    const done = await submitOk(movielens({ name: 'ml-done' }));
    emu.clock.advance(40);
    expect((await fetch(`${jobs()}/${done}`, { method: 'DELETE' })).status).toBe(202);
    expect(await status(done)).toBe('SUCCEEDED');
    expect((await fetch(`${jobs()}/nope`)).status).toBe(404);
  });

  it('kills a job that exceeds its timeout', async () => {
    const id = await submitOk(movielens({ name: 'forever-timeout', timeout: 10 }));
    emu.clock.advance(15);
    expect((await get(id)).body).toMatchObject({ status: 'KILLED', statusMsg: 'Job exceeded timeout.' });
  });

  it('searches by name (% wildcard), status and grouping', async () => {
    await submitOk(movielens({ name: 'search-a', grouping: 'dag-x', groupingInstance: 'run-1' }));
    await submitOk(movielens({ name: 'search-b', grouping: 'dag-x', groupingInstance: 'run-2' }));
    const byName = (await (await fetch(`${jobs()}?name=search-%25`)).json()) as {
      _embedded: { jobSearchResultList: Array<{ name: string }> };
      page: { totalElements: number };
    };
    expect(byName.page.totalElements).toBe(2);
    const byRun = (await (
      await fetch(`${jobs()}?grouping=dag-x&groupingInstance=run-2`)
    ).json()) as typeof byName;
    expect(byRun._embedded.jobSearchResultList.map((j) => j.name)).toEqual(['search-b']);
    const accepted = (await (
      await fetch(`${jobs()}?name=search-%25&status=RUNNING`)
    ).json()) as typeof byName;
    expect(accepted.page.totalElements).toBe(0);
  });
});

describe('Genie behind HTTP Basic auth', () => {
  it('answers 401 without or with wrong credentials, and serves the configured user', async () => {
    const locked = await startEmulators({ genie: { users: { airflow: 'pa55:word' } } });
    try {
      const url = `${locked.genieUrl}/api/v3/jobs`;
      const basic = (cred: string) => ({ authorization: `Basic ${Buffer.from(cred).toString('base64')}` });
      const none = await fetch(url);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Basic realm="Genie"');
      expect((await fetch(url, { headers: basic('airflow:wrong') })).status).toBe(401);
      expect((await fetch(url, { headers: basic('airflow:pa55:word') })).status).toBe(200);
      expect(locked.sensitiveValues()).toContain('pa55:word');
    } finally {
      await locked.close();
    }
  });
});
