import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulators } from '../../../src/local/emulators/index.ts';
import { startEmulators } from '../../../src/local/emulators/index.ts';
import { NEW_JOB, armClient, armToken } from './arm-client.ts';
import { startFlinkJob } from './flink-client.ts';

let emu: RunningEmulators;
let arm: ReturnType<typeof armClient>;
beforeAll(async () => {
  emu = await startEmulators({ timeScale: 0.001, defaultJobRunSeconds: null });
  arm = armClient(emu, await armToken(emu));
});
afterAll(() => emu.close());

const admin = (method: string, body?: unknown) =>
  fetch(`${emu.url}/_admin/faults`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

async function genieSubmit(name: string): Promise<Response> {
  return fetch(`${emu.genieUrl}/api/v3/jobs`, {
    method: 'POST',
    body: JSON.stringify({
      name,
      user: 'u',
      version: '1',
      clusterCriterias: [{ tags: ['emr.cluster.role:batch'] }],
      commandCriteria: ['type:spark-submit'],
    }),
  });
}

describe('request faults', () => {
  it('throttle: 429 with Retry-After for the named job only, `times` times', async () => {
    emu.faults.add({
      kind: 'throttle',
      service: 'hdinsight',
      jobName: 'thr-*',
      retryAfterSeconds: 2,
      times: 2,
    });
    const other = await arm.runJob({ ...NEW_JOB, jobName: 'calm' });
    expect(other.status).toBe(202);
    for (let i = 0; i < 2; i++) {
      const res = await arm.runJob({ ...NEW_JOB, jobName: 'thr-1' });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('2');
      expect(await res.json()).toMatchObject({ error: { code: 'TooManyRequests' } });
    }
    expect((await arm.runJob({ ...NEW_JOB, jobName: 'thr-1' })).status).toBe(202);
    expect(emu.stats.submissions['thr-1']).toBe(1);
  });

  it('server-error: 5xx in the service error shape, then normal answers; armed over HTTP', async () => {
    const armed = await admin('POST', [
      { kind: 'server-error', service: 'genie', times: 1 },
      { kind: 'server-error', service: 'genie', status: 500 },
    ]);
    expect(armed.status).toBe(201);
    const first = await genieSubmit('g-5xx');
    expect(first.status).toBe(503);
    expect(await first.json()).toMatchObject({ status: 503, message: 'Injected server error.' });
    expect((await genieSubmit('g-5xx')).status).toBe(500);
    expect((await genieSubmit('g-5xx')).status).toBe(202);
    expect(emu.stats.submissions['g-5xx']).toBe(1);
    const listed = (await (await admin('GET')).json()) as {
      faults: Array<{ remaining: number; hits: number }>;
    };
    expect(listed.faults.slice(-2).map((f) => [f.remaining, f.hits])).toEqual([
      [0, 1],
      [0, 1],
    ]);
  });

  it('drop: the connection is destroyed without an answer', async () => {
    emu.faults.add({ kind: 'drop', service: 'flink' });
    await expect(fetch(`${emu.flinkUrl}/jobs`)).rejects.toThrow();
    expect((await fetch(`${emu.flinkUrl}/jobs`)).status).toBe(200);
    expect(emu.stats.faultsInjected.drop).toBe(1);
  });

  it("drop with when 'after': the NEW takes effect, only the answer is lost", async () => {
    emu.faults.add({ kind: 'drop', service: 'hdinsight', jobName: 'lost-answer', when: 'after' });
    await expect(arm.runJob({ ...NEW_JOB, jobName: 'lost-answer' })).rejects.toThrow();
    const listed = (await (await arm.list("jobName eq 'lost-answer'")).json()) as { value: unknown[] };
    expect(listed.value).toHaveLength(1);
    expect((await arm.runJob({ ...NEW_JOB, jobName: 'lost-answer' })).status).toBe(409);
    expect(emu.stats.submissions['lost-answer']).toBe(1);
  });

  it("server-error with when 'after': Genie answers 503 but accepted the job", async () => {
    emu.faults.add({ kind: 'server-error', service: 'genie', jobName: 'g-after', when: 'after' });
    const body = {
      id: 'g-after-1',
      name: 'g-after',
      user: 'u',
      version: '1',
      clusterCriterias: [{ tags: ['emr.cluster.role:batch'] }],
      commandCriteria: ['type:spark-submit'],
    };
    const post = () => fetch(`${emu.genieUrl}/api/v3/jobs`, { method: 'POST', body: JSON.stringify(body) });
    expect((await post()).status).toBe(503);
    expect((await fetch(`${emu.genieUrl}/api/v3/jobs/g-after-1/status`)).status).toBe(200);
    expect((await post()).status).toBe(409);
    expect(emu.stats.submissions['g-after']).toBe(1);
  });

  it('slow: the answer comes after the delay, unchanged', async () => {
    emu.faults.add({ kind: 'slow', service: 'flink', delayMs: 150 });
    const t0 = performance.now();
    const res = await fetch(`${emu.flinkUrl}/jobs`);
    expect(res.status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
    expect(emu.stats.faultsInjected.slow).toBe(1);
  });

  it('token-expiry: one 401 ExpiredAuthenticationToken, then the same token works', async () => {
    emu.faults.add({ kind: 'token-expiry', service: 'hdinsight' });
    const res = await arm.list();
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'ExpiredAuthenticationToken' } });
    expect((await arm.list()).status).toBe(200);
  });

  it('token-expiry on Key Vault is absorbed by the SDK challenge handling', async () => {
    const tls = { tlsOptions: { ca: emu.caPem } };
    const credential = new ClientSecretCredential(emu.tenantId, emu.clientId, emu.clientSecret, {
      authorityHost: emu.authorityHost,
      disableInstanceDiscovery: true,
      ...tls,
    });
    const kv = new SecretClient(emu.keyVaultUrl, credential, {
      disableChallengeResourceVerification: true,
      ...tls,
    });
    await kv.getSecret('hdinsight-aks-variables-tenant-id');
    emu.faults.add({ kind: 'token-expiry', service: 'keyvault' });
    expect((await kv.getSecret('hdinsight-aks-variables-api-client-id')).value).toBe(emu.clientId);
    expect(emu.faults.list().at(-1)?.hits).toBe(1);
  });

  it('rejects an invalid fault over HTTP (400) and through the API (throws)', async () => {
    const res = await admin('POST', { kind: 'meteor' });
    expect(res.status).toBe(400);
    expect(() => emu.faults.add({ kind: 'throttle', times: 0 })).toThrow();
  });

  it("'always' keeps firing until cleared with DELETE", async () => {
    await admin('POST', { kind: 'throttle', service: 'genie', jobName: 'g-always', times: 'always' });
    for (let i = 0; i < 3; i++) expect((await genieSubmit('g-always')).status).toBe(429);
    expect((await admin('DELETE')).status).toBe(204);
    expect((await genieSubmit('g-always')).status).toBe(202);
  });
});

describe('job faults', () => {
  it('job-fails: an HDInsight job turns FAILED after the delay', async () => {
    emu.faults.add({ kind: 'job-fails', service: 'hdinsight', jobName: 'hdi-fail', afterSeconds: 10 });
    const res = await arm.runJob({ ...NEW_JOB, jobName: 'hdi-fail' });
    emu.clock.advance(5);
    const job = (await (await arm.get(res.headers.get('location') ?? '')).json()) as {
      properties: { status: string };
    };
    expect(job.properties.status).toBe('RUNNING');
    emu.clock.advance(10);
    const listed = (await (await arm.list("jobName eq 'hdi-fail'")).json()) as {
      value: Array<{ properties: { status: string; jobOutput: string } }>;
    };
    expect(listed.value[0]?.properties.status).toBe('FAILED');
    expect((await arm.runJob({ jobName: 'hdi-fail', action: 'RE_LAUNCH' })).status).toBe(202);
  });

  it('job-fails: a Flink job ends FAILED, a Genie job FAILED with exit code 1', async () => {
    emu.faults.add([
      { kind: 'job-fails', service: 'flink', afterSeconds: 1 },
      { kind: 'job-fails', service: 'genie', jobName: 'g-fail', afterSeconds: 1 },
    ]);
    const jobid = await startFlinkJob(emu.flinkUrl, { entryClass: 'a.F' });
    const id = (await genieSubmit('g-fail')).headers.get('location')?.split('/').at(-1) ?? '';
    emu.clock.advance(10);
    expect(await (await fetch(`${emu.flinkUrl}/jobs/${jobid}/status`)).json()).toEqual({ status: 'FAILED' });
    const genie = (await (await fetch(`${emu.genieUrl}/api/v3/jobs/${id}/execution`)).json()) as {
      exitCode: number;
    };
    expect(genie.exitCode).toBe(1);
    expect(await (await fetch(`${emu.genieUrl}/api/v3/jobs/${id}/output/stderr`)).text()).toContain(
      'injected failure',
    );
  });

  it('action-stuck: an HDInsight SAVEPOINT stays IN_PROGRESS and blocks other actions', async () => {
    await arm.runJob({ ...NEW_JOB, jobName: 'hdi-stuck' });
    emu.clock.advance(5);
    emu.faults.add({ kind: 'action-stuck', service: 'hdinsight', jobName: 'hdi-stuck', action: 'SAVEPOINT' });
    const res = await arm.runJob({ jobName: 'hdi-stuck', action: 'SAVEPOINT' });
    emu.clock.advance(3600);
    const location = res.headers.get('location') ?? '';
    expect((await arm.get(location)).status).toBe(202);
    const listed = (await (await arm.list("jobName eq 'hdi-stuck'")).json()) as {
      value: Array<{ properties: { actionResult: string } }>;
    };
    expect(listed.value[0]?.properties.actionResult).toBe('IN_PROGRESS');
    expect((await arm.runJob({ jobName: 'hdi-stuck', action: 'STOP' })).status).toBe(409);
  });

  it('action-stuck: a Flink stop-with-savepoint stays IN_PROGRESS; a Genie job keeps RUNNING', async () => {
    const finite = await startEmulators({ timeScale: 0.001 });
    try {
      finite.faults.add([
        { kind: 'action-stuck', service: 'flink' },
        { kind: 'action-stuck', service: 'genie' },
      ]);
      const jobid = await startFlinkJob(finite.flinkUrl, { entryClass: 'a.S' });
      finite.clock.advance(2);
      const stop = (await (
        await fetch(`${finite.flinkUrl}/jobs/${jobid}/stop`, {
          method: 'POST',
          body: '{"targetDirectory":"s3://x"}',
        })
      ).json()) as { 'request-id': string };
      const genie = await fetch(`${finite.genieUrl}/api/v3/jobs`, {
        method: 'POST',
        body: JSON.stringify({
          name: 'g',
          user: 'u',
          version: '1',
          clusterCriterias: [{ tags: ['emr.cluster.role:batch'] }],
          commandCriteria: ['type:spark-submit'],
        }),
      });
      finite.clock.advance(20);
      const sp = (await (
        await fetch(`${finite.flinkUrl}/jobs/${jobid}/savepoints/${stop['request-id']}`)
      ).json()) as { status: { id: string } };
      expect(sp.status.id).toBe('IN_PROGRESS');
      const gid = genie.headers.get('location')?.split('/').at(-1) ?? '';
      finite.clock.advance(100_000);
      expect(await (await fetch(`${finite.genieUrl}/api/v3/jobs/${gid}/status`)).json()).toEqual({
        status: 'RUNNING',
      });
    } finally {
      await finite.close();
    }
  });
});

describe('admin endpoints', () => {
  it('advances the clock and reports stats with duplicates', async () => {
    const before = emu.clock.now();
    const res = await fetch(`${emu.url}/_admin/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceSeconds: 60 }),
    });
    expect(res.status).toBe(200);
    expect(emu.clock.now() - before).toBeGreaterThanOrEqual(60_000);
    await genieSubmit('g-twice');
    await genieSubmit('g-twice');
    const stats = (await (await fetch(`${emu.url}/_admin/stats`)).json()) as {
      submissions: Record<string, number>;
      duplicates: Record<string, number>;
      tokensIssued: number;
    };
    expect(stats.submissions['g-twice']).toBe(2);
    expect(stats.duplicates).toMatchObject({ 'g-twice': 1 });
    expect(stats.tokensIssued).toBeGreaterThan(0);
  });
});
