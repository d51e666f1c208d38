import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulators } from '../../../src/local/emulators/index.ts';
import { startEmulators } from '../../../src/local/emulators/index.ts';
import { startFlinkJob, uploadJar as upload } from './flink-client.ts';

let emu: RunningEmulators;
beforeAll(async () => {
  emu = await startEmulators({
    timeScale: 0.001,
    flink: { jobManagers: ['flink', 'flink-b'] },
    jobs: [{ jobName: 'stream-*', runSeconds: null }],
  });
});
afterAll(() => emu.close());

const call = async (path: string, init?: RequestInit & { json?: unknown }, base = emu.flinkUrl) => {
  const res = await fetch(`${base}${path}`, {
    ...init,
    ...(init?.json !== undefined
      ? { body: JSON.stringify(init.json), headers: { 'content-type': 'application/json' } }
      : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & { errors?: string[] },
  };
};

const uploadJar = (name?: string, base = emu.flinkUrl) => upload(base, name);

async function runJar(jarId: string, json: Record<string, unknown>) {
  return call(`/jars/${jarId}/run`, { method: 'POST', json });
}

describe('Flink REST jars', () => {
  it('uploads (multipart jarfile), lists, runs and deletes a jar; also under /v1', async () => {
    const jarId = await uploadJar();
    expect(jarId).toMatch(/^[0-9a-f-]{36}_wordcount\.jar$/);
    const list = await call('/v1/jars');
    expect(list.body.files).toEqual([expect.objectContaining({ id: jarId, name: 'wordcount.jar' })]);
    const run = await runJar(jarId, {
      entryClass: 'org.example.WordCount',
      programArgsList: ['--input', 'a b'],
      parallelism: 2,
    });
    expect(run.status).toBe(200);
    expect(run.body.jobid).toMatch(/^[0-9a-f]{32}$/);
    expect(emu.stats.submissions.WordCount).toBe(1);
    expect((await call(`/jars/${jarId}`, { method: 'DELETE' })).status).toBe(200);
    expect((await runJar(jarId, { entryClass: 'x.Y' })).status).toBe(400);
  });

  it('rejects uploads without a jarfile or of a non-jar', async () => {
    const empty = await fetch(`${emu.flinkUrl}/jars/upload`, { method: 'POST', body: new FormData() });
    expect(empty.status).toBe(400);
    const form = new FormData();
    form.append('jarfile', new Blob(['x']), 'notes.txt');
    const txt = await fetch(`${emu.flinkUrl}/jars/upload`, { method: 'POST', body: form });
    expect(((await txt.json()) as { errors: string[] }).errors[0]).toBe('Only Jar files are allowed.');
  });

  it('needs an entry class and rejects unknown JarRunRequestBody fields', async () => {
    const jarId = await uploadJar();
    expect((await runJar(jarId, {})).status).toBe(400);
    const typo = await runJar(jarId, { entryClass: 'a.B', programArguments: '--x' });
    expect(typo.status).toBe(400);
    expect(typo.body.errors?.[0]).toContain('"programArguments"');
  });

  it('pins a jobId; a second run with it is refused and not counted', async () => {
    const jarId = await uploadJar();
    const jobId = 'ab'.repeat(16);
    const first = await runJar(jarId, {
      entryClass: 'a.Pinned',
      jobId,
      programArgs: '--job-name stream-pinned',
    });
    expect(first.body.jobid).toBe(jobId);
    const again = await runJar(jarId, {
      entryClass: 'a.Pinned',
      jobId,
      programArgs: '--job-name stream-pinned',
    });
    expect(again.status).toBe(409);
    expect(emu.stats.submissions['stream-pinned']).toBe(1);
  });
});

describe('Flink REST jobs', () => {
  it('moves a job INITIALIZING -> RUNNING -> FINISHED and reports it on /jobs, /overview, /{id}, /status', async () => {
    const jarId = await uploadJar();
    const { body } = await runJar(jarId, {
      entryClass: 'a.Batch',
      programArgsList: ['--job-name', 'batch-a'],
    });
    const jid = String(body.jobid);
    expect((await call(`/jobs/${jid}/status`)).body).toEqual({ status: 'INITIALIZING' });
    emu.clock.advance(2);
    expect((await call(`/jobs/${jid}`)).body).toMatchObject({ jid, name: 'batch-a', state: 'RUNNING' });
    expect((await call('/jobs')).body.jobs).toContainEqual({ id: jid, status: 'RUNNING' });
    emu.clock.advance(30);
    const overview = (await call('/jobs/overview')).body.jobs as Array<Record<string, unknown>>;
    expect(overview.find((j) => j.jid === jid)).toMatchObject({ name: 'batch-a', state: 'FINISHED' });
    expect((await call(`/jobs/${'0'.repeat(32)}`)).status).toBe(404);
  });

  it('triggers a savepoint (kebab-case body), reports IN_PROGRESS then COMPLETED with its location', async () => {
    const jarId = await uploadJar();
    const jid = String(
      (await runJar(jarId, { entryClass: 'a.S', programArgs: '--job-name stream-sp' })).body.jobid,
    );
    emu.clock.advance(2);
    const camel = await call(`/jobs/${jid}/savepoints`, {
      method: 'POST',
      json: { targetDirectory: 's3://sp' },
    });
    expect(camel.status).toBe(400);
    expect(camel.body.errors?.[0]).toContain('"targetDirectory"');
    const trig = await call(`/jobs/${jid}/savepoints`, {
      method: 'POST',
      json: { 'target-directory': 's3://sp', 'cancel-job': false, formatType: 'CANONICAL' },
    });
    expect(trig.status).toBe(202);
    const triggerId = String(trig.body['request-id']);
    expect((await call(`/jobs/${jid}/savepoints/${triggerId}`)).body.status).toEqual({ id: 'IN_PROGRESS' });
    emu.clock.advance(3);
    const done = await call(`/jobs/${jid}/savepoints/${triggerId}`);
    expect(done.body.status).toEqual({ id: 'COMPLETED' });
    const location = (done.body.operation as { location: string }).location;
    expect(location).toMatch(/^s3:\/\/sp\/savepoint-/);
    const cps = (await call(`/jobs/${jid}/checkpoints`)).body as {
      latest: { savepoint: { external_path: string } };
    };
    expect(cps.latest.savepoint.external_path).toBe(location);
    expect((await call(`/jobs/${jid}/status`)).body.status).toBe('RUNNING');
    const sameTrigger = await call(`/jobs/${jid}/savepoints`, {
      method: 'POST',
      json: { 'target-directory': 's3://sp', triggerId },
    });
    expect(sameTrigger.body['request-id']).toBe(triggerId);
    expect((await call(`/jobs/${jid}/savepoints/${'f'.repeat(32)}`)).status).toBe(404);
  });

  it('stops with a savepoint (camelCase body) and restarts from it with savepointPath', async () => {
    const jarId = await uploadJar();
    const jid = String(
      (await runJar(jarId, { entryClass: 'a.S', programArgs: '--job-name stream-stop' })).body.jobid,
    );
    emu.clock.advance(2);
    expect(
      (await call(`/jobs/${jid}/stop`, { method: 'POST', json: { 'target-directory': 's3://sp' } })).status,
    ).toBe(400);
    const stop = await call(`/jobs/${jid}/stop`, {
      method: 'POST',
      json: { targetDirectory: 's3://sp', drain: false },
    });
    expect(stop.status).toBe(202);
    emu.clock.advance(3);
    const done = await call(`/jobs/${jid}/savepoints/${String(stop.body['request-id'])}`);
    const location = (done.body.operation as { location: string }).location;
    expect((await call(`/jobs/${jid}/status`)).body.status).toBe('FINISHED');

    expect(
      (await runJar(jarId, { entryClass: 'a.S', savepointPath: 's3://sp/savepoint-unknown' })).status,
    ).toBe(400);
    const resumed = await runJar(jarId, {
      entryClass: 'a.S',
      programArgs: '--job-name stream-stop',
      savepointPath: location,
      allowNonRestoredState: true,
    });
    const next = String(resumed.body.jobid);
    emu.clock.advance(25);
    const cps = (await call(`/jobs/${next}/checkpoints`)).body as {
      counts: { completed: number };
      latest: {
        restored: { external_path: string; is_savepoint: boolean };
        completed: { id: number; external_path: string };
      };
    };
    expect(cps.latest.restored).toMatchObject({ external_path: location, is_savepoint: true });
    expect(cps.latest.completed.id).toBe(2);
    expect(emu.stats.submissions['stream-stop']).toBe(2);

    const fromCheckpoint = await runJar(jarId, {
      entryClass: 'a.S',
      savepointPath: cps.latest.completed.external_path,
    });
    expect(fromCheckpoint.status).toBe(200);
  });

  it('cancels with PATCH ?mode=cancel (202), refuses mode=stop and a second cancel', async () => {
    const jarId = await uploadJar();
    const jid = String(
      (await runJar(jarId, { entryClass: 'a.S', programArgs: '--job-name stream-cancel' })).body.jobid,
    );
    expect((await call(`/jobs/${jid}?mode=stop`, { method: 'PATCH' })).status).toBe(400);
    expect((await call(`/jobs/${jid}?mode=cancel`, { method: 'PATCH' })).status).toBe(202);
    expect((await call(`/jobs/${jid}/status`)).body.status).toBe('CANCELED');
    expect((await call(`/jobs/${jid}?mode=cancel`, { method: 'PATCH' })).status).toBe(409);
  });

  it('fails a savepoint whose job ends first, via failure-cause', async () => {
    const jarId = await uploadJar();
    const jid = String(
      (await runJar(jarId, { entryClass: 'a.S', programArgs: '--job-name stream-race' })).body.jobid,
    );
    emu.clock.advance(2);
    const trig = await call(`/jobs/${jid}/savepoints`, {
      method: 'POST',
      json: { 'target-directory': 's3://sp' },
    });
    await call(`/jobs/${jid}?mode=cancel`, { method: 'PATCH' });
    const status = await call(`/jobs/${jid}/savepoints/${String(trig.body['request-id'])}`);
    expect(status.body.status).toEqual({ id: 'COMPLETED' });
    expect(status.body.operation).toHaveProperty('failure-cause');
  });

  it('keeps JobManagers apart under their own prefixes', async () => {
    const other = emu.flinkUrls['flink-b'] ?? '';
    const jarId = await uploadJar('b.jar', other);
    await call(`/jars/${jarId}/run`, { method: 'POST', json: { entryClass: 'b.Job' } }, other);
    const a = (await call('/jobs')).body.jobs as Array<{ id: string }>;
    const b = (await call('/jobs', undefined, other)).body.jobs as Array<{ id: string }>;
    expect(b).toHaveLength(1);
    expect(a.map((j) => j.id)).not.toContain(b[0]?.id);
  });
});

describe('Flink without state.savepoints.dir', () => {
  it('refuses a savepoint without target directory', async () => {
    const bare = await startEmulators({ timeScale: 0.001, flink: { savepointDirectory: null } });
    try {
      const jobid = await startFlinkJob(bare.flinkUrl, { entryClass: 'a.B' });
      const res = await fetch(`${bare.flinkUrl}/jobs/${jobid}/savepoints`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(400);
    } finally {
      await bare.close();
    }
  });
});

describe('JobManager names', () => {
  it('refuses a JobManager mounted on another service path', async () => {
    await expect(startEmulators({ flink: { jobManagers: ['genie'] } })).rejects.toThrow(
      /another emulated service/,
    );
  });
});
