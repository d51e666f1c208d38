import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulators } from '../../../src/local/emulators/index.ts';
import { startEmulators } from '../../../src/local/emulators/index.ts';
import { CLUSTER, NEW_JOB, armClient, armToken } from './arm-client.ts';

let emu: RunningEmulators;
let arm: ReturnType<typeof armClient>;
beforeAll(async () => {
  // Time nearly frozen: the tests move it with clock.advance().
  emu = await startEmulators({ timeScale: 0.001, jobs: [{ jobName: 'stream-*', runSeconds: null }] });
  arm = armClient(emu, await armToken(emu));
});
afterAll(() => emu.close());

interface JobProps {
  jobName: string;
  jobId?: string;
  status: string;
  action: string;
  actionResult: string;
  lastSavePoint?: string;
  jobOutput?: string;
  runId: string;
}

/** Runs one action to completion through the location header; returns the final job properties. */
async function act(properties: Record<string, unknown>): Promise<JobProps> {
  const res = await arm.runJob(properties);
  expect(res.status, await res.clone().text()).toBe(202);
  const location = res.headers.get('location');
  expect(location).toMatch(/\/operationresults\//);
  emu.clock.advance(5);
  const done = await arm.get(location ?? '');
  expect(done.status).toBe(200);
  return ((await done.json()) as { properties: JobProps }).properties;
}

async function jobNamed(name: string): Promise<JobProps | undefined> {
  const res = await arm.list(`jobName eq '${name}'`);
  const body = (await res.json()) as { value: Array<{ properties: JobProps }> };
  return body.value[0]?.properties;
}

describe('HDInsight on AKS runJob', () => {
  it('NEW: 202 + location + Retry-After, 202 while running, then 200 with a RUNNING job', async () => {
    const res = await arm.runJob({ ...NEW_JOB, jobName: 'stream-new' });
    expect(res.status).toBe(202);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    const location = res.headers.get('location') ?? '';
    expect(location.startsWith(`${emu.url}${CLUSTER}/`)).toBe(true);
    const pending = await arm.get(location);
    expect(pending.status).toBe(202);
    expect(pending.headers.get('location')).toBe(location);
    expect((await jobNamed('stream-new'))?.actionResult).toBe('IN_PROGRESS');
    emu.clock.advance(5);
    const done = await arm.get(location);
    expect(done.status).toBe(200);
    const job = (await done.json()) as { id: string; properties: JobProps };
    expect(job.id).toBe(`${CLUSTER}/jobs/stream-new`);
    expect(job.properties).toMatchObject({ status: 'RUNNING', actionResult: 'SUCCESS', action: 'NEW' });
    expect(job.properties.jobId).toMatch(/^[0-9a-f]{32}$/);
    expect(job.properties.runId).toMatch(/^job-/);
    expect(emu.stats.submissions['stream-new']).toBe(1);
  });

  it('rejects a second NEW with the same name (409) and does not count it', async () => {
    await act({ ...NEW_JOB, jobName: 'stream-dup' });
    const res = await arm.runJob({ ...NEW_JOB, jobName: 'stream-dup' });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: 'Conflict' } });
    expect(emu.stats.submissions['stream-dup']).toBe(1);
  });

  it('walks SAVEPOINT, LIST_SAVEPOINT, STOP, START (last and named), UPDATE, STATELESS_UPDATE, LAST_STATE_UPDATE, CANCEL, RE_LAUNCH, DELETE', async () => {
    const jobName = 'stream-life';
    const started = await act({ ...NEW_JOB, jobName, runId: 'run-42' });
    expect(started.runId).toBe('run-42');

    const sp1 = await act({ jobName, action: 'SAVEPOINT' });
    expect(sp1).toMatchObject({ status: 'RUNNING', actionResult: 'SUCCESS', jobId: started.jobId });
    expect(sp1.jobOutput).toBe(`Savepoint completed. Path: ${sp1.lastSavePoint}`);

    const stopped = await act({ jobName, action: 'STOP' });
    expect(stopped.status).toBe('STOPPED');
    expect(stopped.lastSavePoint).not.toBe(sp1.lastSavePoint);
    expect(stopped.jobOutput).toContain(stopped.lastSavePoint);

    const listed = await act({ jobName, action: 'LIST_SAVEPOINT' });
    expect(listed.jobOutput?.split('\n')).toEqual([sp1.lastSavePoint, stopped.lastSavePoint]);

    const resumed = await act({ jobName, action: 'START' });
    expect(resumed.status).toBe('RUNNING');
    expect(resumed.jobId).not.toBe(started.jobId);
    expect(resumed.jobOutput).toBe(`Job started from ${stopped.lastSavePoint}.`);

    await act({ jobName, action: 'STOP' });
    const named = await act({
      jobName,
      action: 'START',
      savePointName: sp1.lastSavePoint?.split('/').at(-1),
    });
    expect(named.jobOutput).toBe(`Job started from ${sp1.lastSavePoint}.`);

    const updated = await act({ jobName, action: 'UPDATE', args: '--new 1', jarName: 'wordcount-2.jar' });
    expect(updated.jobOutput).toBe(`Job started from ${updated.lastSavePoint}.`);
    expect(updated.jobId).not.toBe(named.jobId);
    expect(emu.state.hdinsight.get(CLUSTER, jobName)).toMatchObject({
      args: '--new 1',
      jarName: 'wordcount-2.jar',
    });

    const stateless = await act({ jobName, action: 'STATELESS_UPDATE' });
    expect(stateless.jobOutput).toBe('Job started without state.');

    const lastState = await act({ jobName, action: 'LAST_STATE_UPDATE' });
    expect(lastState.jobOutput).toMatch(new RegExp(`checkpoints/${stateless.jobId}/chk-\\d+\\.$`));

    expect(await act({ jobName, action: 'CANCEL' })).toMatchObject({
      status: 'CANCELED',
      actionResult: 'SUCCESS',
    });
    expect(await act({ jobName, action: 'RE_LAUNCH' })).toMatchObject({ status: 'RUNNING' });
    await act({ jobName, action: 'CANCEL' });

    const del = await arm.runJob({ jobName, action: 'DELETE' });
    expect(del.status).toBe(202);
    emu.clock.advance(5);
    expect((await arm.get(del.headers.get('location') ?? '')).status).toBe(204);
    expect(await jobNamed(jobName)).toBeUndefined();
    const gone = await arm.runJob({ jobName, action: 'START' });
    expect(gone.status).toBe(404);
    expect(emu.stats.submissions[jobName]).toBe(1);
  });

  it('answers 400 for an action the job state does not allow, and 409 while an action runs', async () => {
    const jobName = 'stream-states';
    await act({ ...NEW_JOB, jobName });
    const start = await arm.runJob({ jobName, action: 'START' });
    expect(start.status).toBe(400);
    expect(await start.json()).toMatchObject({ error: { code: 'InvalidJobAction' } });
    expect((await arm.runJob({ jobName, action: 'SAVEPOINT' })).status).toBe(202);
    const busy = await arm.runJob({ jobName, action: 'STOP' });
    expect(busy.status).toBe(409);
    emu.clock.advance(5);
    await act({ jobName, action: 'STOP' });
    expect((await arm.runJob({ jobName, action: 'STOP' })).status).toBe(400);
    expect((await arm.runJob({ jobName, action: 'START', savePointName: 'savepoint-nope' })).status).toBe(
      400,
    );
  });

  it('validates the body: action, jobType, jobName, NEW fields, flinkConfiguration values', async () => {
    const bad = [
      { jobName: 'x', action: 'EXPLODE' },
      { jobName: 'x', action: 'NEW', jobType: 'SparkJob' },
      { action: 'NEW' },
      { jobName: 'x', action: 'NEW', jarName: 'a.jar' },
      { ...NEW_JOB, jobName: 'x', flinkConfiguration: { parallelism: 2 } },
    ];
    for (const properties of bad) {
      const res = await arm.runJob(properties);
      expect(res.status, JSON.stringify(properties)).toBe(400);
      expect(((await res.json()) as { error: { code: string; message: string } }).error.message).not.toBe('');
    }
    expect(emu.stats.submissions.x).toBeUndefined();
  });

  it('a batch job finishes after its run length', async () => {
    const job = await act({ ...NEW_JOB, jobName: 'batch-1' });
    expect(job.status).toBe('RUNNING');
    emu.clock.advance(30);
    expect(await jobNamed('batch-1')).toMatchObject({ status: 'FINISHED', actionResult: 'SUCCESS' });
  });

  it('matches the path case-insensitively (runjob, clusterPools)', async () => {
    const path = CLUSTER.replace('clusterpools', 'clusterPools').replace('resourceGroups', 'resourcegroups');
    const res = await fetch(`${emu.url}${path}/runjob?api-version=2024-05-01-preview`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await armToken(emu)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { jobType: 'FlinkJob', ...NEW_JOB, jobName: 'stream-case' } }),
    });
    expect(res.status).toBe(202);
    expect(await jobNamed('stream-case')).toBeDefined();
  });
});

describe('HDInsight api-version and token checks', () => {
  it.each([
    ['', 'MissingApiVersionParameter'],
    ['2099-01-01', 'InvalidApiVersionParameter'],
  ])('api-version %j gives 400 %s', async (version, code) => {
    const res = await arm.runJob({ ...NEW_JOB, jobName: 'v' }, version);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code } });
  });

  it('LAST_STATE_UPDATE and RE_LAUNCH do not exist in 2023-06-01-preview', async () => {
    await act({ ...NEW_JOB, jobName: 'stream-old' });
    const res = await arm.runJob(
      { jobName: 'stream-old', action: 'LAST_STATE_UPDATE' },
      '2023-06-01-preview',
    );
    expect(res.status).toBe(400);
  });

  it.each([
    ['no header', undefined, 'AuthenticationFailed'],
    ['a forged token', 'Bearer forged.token.value', 'InvalidAuthenticationToken'],
  ])('%s gives 401 %s', async (_label, authorization, code) => {
    const res = await fetch(`${emu.url}${CLUSTER}/jobs?api-version=2024-05-01-preview`, {
      headers: authorization ? { authorization } : {},
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code } });
  });

  it('a Key Vault token is refused by ARM (wrong audience)', async () => {
    const res = await armClient(emu, await armToken(emu, 'https://vault.azure.net/.default')).list();
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'InvalidAuthenticationTokenAudience' } });
  });
});

describe('HDInsight jobs list', () => {
  it('filters by jobName and jarName and pages through nextLink', async () => {
    const other = armClient(
      emu,
      await armToken(emu),
      '2024-05-01-preview',
      CLUSTER.replace('flink-1', 'flink-paged'),
    );
    for (let i = 0; i < 12; i++) {
      const res = await other.runJob({
        ...NEW_JOB,
        jobName: `stream-p${i}`,
        jarName: i % 2 ? 'odd.jar' : 'even.jar',
      });
      expect(res.status).toBe(202);
    }
    const names: string[] = [];
    let page = (await (await other.list()).json()) as { value: Array<{ name: string }>; nextLink?: string };
    names.push(...page.value.map((j) => j.name));
    expect(page.value).toHaveLength(10);
    expect(page.nextLink).toBeDefined();
    page = (await (await other.get(page.nextLink ?? '')).json()) as typeof page;
    names.push(...page.value.map((j) => j.name));
    expect(page.nextLink).toBeUndefined();
    expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `stream-p${i}`));

    const one = (await (await other.list("jobName eq 'stream-p3'")).json()) as typeof page;
    expect(one.value.map((j) => j.name)).toEqual(['stream-p3']);
    const odd = (await (await other.list("jarName eq 'odd.jar'")).json()) as typeof page;
    expect(odd.value).toHaveLength(6);
    expect((await other.list('status eq RUNNING')).status).toBe(400);
  });

  it('ignores $filter in api-versions before 2023-11-01-preview, as ARM ignores unknown parameters', async () => {
    const res = await arm.list("jobName eq 'stream-new'", '2023-06-01-preview');
    const body = (await res.json()) as { value: unknown[] };
    expect(body.value.length).toBeGreaterThan(1);
  });
});

describe('Retry-After in real seconds', () => {
  it('converts the emulated Retry-After with the time scale', async () => {
    const slow = await startEmulators({ timeScale: 2, hdinsight: { retryAfterSeconds: 10 } });
    try {
      const res = await armClient(slow, await armToken(slow)).runJob({ ...NEW_JOB, jobName: 'ra' });
      expect(res.headers.get('retry-after')).toBe('5');
    } finally {
      await slow.close();
    }
  });
});
