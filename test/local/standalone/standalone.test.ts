import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '../../../src/local/emulators/index.ts';
import {
  api,
  emulatorEnv,
  makeDirs,
  spawnStandalone,
  type StandaloneDirs,
  type StandaloneProcess,
  stop,
  upload,
} from './standalone-host.ts';

/**
 * `airless standalone` as users run it: a child process on a free port, a temp DAG folder and state
 * directory, runs against emulators held by this test process (AIRLESS_EMULATORS=off in the child),
 * so a killed standalone does not take the jobs with it and /_admin/stats counts every submission.
 */
type Json = Record<string, unknown>;

const dag = (genieUrl: string, extra = '') => `
dag_id: standalone_e2e
schedule: null
params:
  rows: { type: integer, minimum: 1, default: 10 }
default_args: { execution_timeout: 10m, poke_interval: 1s }
connections:
  genie: { type: none }
tasks:
  prepare: { operator: empty }
  load:
    operator: genie
    connection: genie
    endpoint: ${genieUrl}
    cluster_tags: ['emr.cluster.role:batch']
    command_tags: ['type:spark-submit']
    command_arguments: 'load.py {{ params.rows }}'
    job_name: 'load-{{ run_id }}-{{ params.rows }}'
    depends_on: [prepare]
  report:
    operator: genie
    connection: genie
    endpoint: ${genieUrl}
    cluster_tags: ['emr.cluster.role:batch']
    command_tags: ['type:spark-submit']
    command_arguments: report.py
    job_name: 'report-{{ run_id }}'
    depends_on: [load]
${extra}`;

let emu: RunningEmulators;
beforeAll(async () => {
  emu = await startEmulators({
    timeScale: 1,
    defaultJobRunSeconds: 1,
    jobs: [{ jobName: 'slow-*', runSeconds: 6 }],
    genie: { acceptSeconds: 0, initSeconds: 0 },
  });
});
afterAll(async () => emu.close());

const submissions = async (): Promise<Record<string, number>> =>
  ((await (await fetch(`${emu.url}/_admin/stats`)).json()) as { submissions: Record<string, number> })
    .submissions;
/** Jobs submitted whose name starts with `prefix` (a rendered name may get a hash suffix). */
const submitted = async (prefix: string): Promise<number> =>
  Object.entries(await submissions())
    .filter(([name]) => name.startsWith(prefix))
    .reduce((n, [, count]) => n + count, 0);

async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, ms = 60_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const runOf = (url: string, dagId: string, runId: string) =>
  api(url, 'GET', `/api/v2/dags/${dagId}/dagRuns/${encodeURIComponent(runId)}`).then((r) => r.body as Json);

describe('airless standalone', () => {
  let dirs: StandaloneDirs & { remove(): Promise<void> };
  let p: StandaloneProcess | undefined;
  beforeAll(async () => {
    dirs = await makeDirs();
  });
  afterAll(async () => {
    if (p) await stop(p);
    await dirs.remove();
  });

  it('registers a DAG from the folder, keeps the live version on an invalid edit, runs a trigger with conf', async () => {
    p = await spawnStandalone(dirs, emulatorEnv(emu));
    await upload(p, dirs.dags, 'e2e.yaml', dag(emu.genieUrl));
    const dags = (await api(p.url, 'GET', '/api/v2/dags')).body as Json;
    expect(dags.total_entries).toBe(1);
    expect((dags.dags as Json[])[0]).toMatchObject({ dag_id: 'standalone_e2e', is_paused: false });

    await upload(p, dirs.dags, 'e2e.yaml', dag(emu.genieUrl).replace('operator: empty', 'operator: emptyy'));
    const errors = (await api(p.url, 'GET', '/api/v2/importErrors')).body as Json;
    expect(errors.total_entries).toBe(1);
    const error = (errors.import_errors as Json[])[0]!;
    expect(String(error.stack_trace)).toMatch(/e2e\.yaml:\d+:\d+: /);
    expect(p.output()).toMatch(/dags\/e2e\.yaml: standalone_e2e rejected; the live version stays/);
    expect((await api(p.url, 'GET', '/api/v2/dags/standalone_e2e')).body).toMatchObject({
      has_import_errors: true,
    });

    const created = await api(p.url, 'POST', '/api/v2/dags/standalone_e2e/dagRuns', {
      dag_run_id: 'withconf',
      logical_date: null,
      conf: { rows: 7 },
    });
    expect(created).toMatchObject({ status: 200, body: { dag_run_id: 'withconf', conf: { rows: 7 } } });
    const run = await until(
      'the run to end',
      () => runOf(p!.url, 'standalone_e2e', 'withconf'),
      (r) => ['success', 'failed'].includes(String(r.state)),
    );
    expect(run.state).toBe('success');
    const tis = (
      (await api(p.url, 'GET', '/api/v2/dags/standalone_e2e/dagRuns/withconf/taskInstances')).body as Json
    ).task_instances as Json[];
    expect(Object.fromEntries(tis.map((t) => [t.task_id, t.state]))).toEqual({
      prepare: 'success',
      load: 'success',
      report: 'success',
    });
    expect(await submitted('load-withconf-7')).toBe(1);
    // The console shows the run's progress in airless run's format.
    expect(p.output()).toMatch(
      /standalone_e2e withconf \| \[\s*[\d.]+ s\] load try 1: submitted load-withconf-7/,
    );
  }, 120_000);

  it('keeps DAG versions and runs across a restart, and an edit that fixes the file clears the import error', async () => {
    await stop(p!);
    p = await spawnStandalone(dirs, emulatorEnv(emu));
    expect(((await runOf(p.url, 'standalone_e2e', 'withconf')) as Json).state).toBe('success');
    await upload(p, dirs.dags, 'e2e.yaml', dag(emu.genieUrl));
    expect(((await api(p.url, 'GET', '/api/v2/importErrors')).body as Json).total_entries).toBe(0);
  }, 120_000);
});

describe('airless standalone schedules', () => {
  it('fires a cron schedule and runs it', async () => {
    const dirs = await makeDirs();
    const p = await spawnStandalone(dirs, emulatorEnv(emu));
    try {
      await upload(
        p,
        dirs.dags,
        'cron.yaml',
        dag(emu.genieUrl).replace('schedule: null', "schedule: '* * * * *'"),
      );
      const runs = await until(
        'a scheduled run to succeed',
        async () =>
          ((await api(p.url, 'GET', '/api/v2/dags/standalone_e2e/dagRuns')).body as Json).dag_runs as Json[],
        (rs) => rs.some((r) => r.run_type === 'scheduled' && r.state === 'success'),
        100_000,
      );
      expect(String(runs.find((r) => r.run_type === 'scheduled')!.dag_run_id)).toMatch(/^scheduled__/);
    } finally {
      await stop(p);
      await dirs.remove();
    }
  }, 150_000);
});

describe('airless standalone restart', () => {
  it('killed with SIGKILL while a job runs, restarted on the same state: the run completes, no job submitted twice', async () => {
    const dirs = await makeDirs();
    let p = await spawnStandalone(dirs, emulatorEnv(emu));
    try {
      await upload(
        p,
        dirs.dags,
        'slow.yaml',
        dag(emu.genieUrl).replace(/job_name: 'load-/, "job_name: 'slow-"),
      );
      await api(p.url, 'POST', '/api/v2/dags/standalone_e2e/dagRuns', {
        dag_run_id: 'killed',
        logical_date: null,
      });
      await until(
        'the slow job to be submitted',
        () => submitted('slow-killed-10'),
        (n) => n === 1,
      );
      await stop(p, 'SIGKILL');

      p = await spawnStandalone(dirs, emulatorEnv(emu));
      const run = await until(
        'the resumed run to end',
        () => runOf(p.url, 'standalone_e2e', 'killed'),
        (r) => ['success', 'failed'].includes(String(r.state)),
        90_000,
      );
      expect(run.state, p.output()).toBe('success');
      expect([await submitted('slow-killed-10'), await submitted('report-killed')]).toEqual([1, 1]);
    } finally {
      await stop(p);
      await dirs.remove();
    }
  }, 180_000);
});

describe('airless standalone options', () => {
  it('refuses --engine azure with a clear message', async () => {
    const dirs = await makeDirs();
    try {
      await expect(spawnStandalone(dirs, {}, ['--engine', 'azure'])).rejects.toThrow(
        /exited \(2\)[\s\S]*--engine azure is not available in standalone yet/,
      );
    } finally {
      await dirs.remove();
    }
  }, 60_000);
});
