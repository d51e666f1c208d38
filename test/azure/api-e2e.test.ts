import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzureApiHost, type AzureApiHost } from './harness.ts';

// The Azure deployment end to end on this machine: Azurite, the local Durable host running the
// Functions app with the real task handler core, the built-in emulators (Genie here), requests over
// 127.0.0.1 into the app's one API route. The example DAG is dags/movielens_genie.yaml as shipped.
let azure: AzureApiHost;

const TICKS = `dag_id: ticks\nschedule: "* * * * *"\ntasks:\n  a: { operator: empty }\n`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
type Json = any;
const call = async (
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> => {
  const res = await fetch(`${azure.url}/api/v2/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
};

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`not reached in 30 s: ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const runOf = (runId: string) => call('GET', `dags/movielens_genie/dagRuns/${runId}`);
const tisOf = async (runId: string): Promise<Record<string, Json>> => {
  const r = await call('GET', `dags/movielens_genie/dagRuns/${runId}/taskInstances`);
  return Object.fromEntries(r.body.task_instances.map((t: Json) => [t.task_id, t]));
};
const submissions = (prefix: string): number =>
  Object.entries(azure.emulators.stats.submissions)
    .filter(([name]) => name.startsWith(prefix))
    .reduce((a, [, n]) => a + n, 0);

beforeAll(async () => {
  azure = await startAzureApiHost({
    dags: {
      'movielens_genie.yaml': readFileSync('dags/movielens_genie.yaml', 'utf8'),
      'ticks.yaml': TICKS,
    },
  });
}, 60_000);

afterAll(async () => {
  await azure?.close();
});

describe('the Azure API end to end: example DAG, real handlers, emulators', () => {
  it('runs a triggered run to success and reports task instances, tries, logs and links', async () => {
    const posted = await call('POST', 'dags/movielens_genie/dagRuns', {
      dag_run_id: 'r1',
      logical_date: '2026-01-01T00:00:00Z',
    });
    expect(posted.status).toBe(200);
    expect(posted.body).toMatchObject({ dag_id: 'movielens_genie', dag_run_id: 'r1', run_type: 'manual' });
    const done = await until(
      () => runOf('r1'),
      (r) => r.body.state === 'success',
      'r1 succeeds',
    );
    expect(done.body.start_date).not.toBeNull();
    const tis = await tisOf('r1');
    expect(Object.keys(tis)).toHaveLength(5);
    for (const ti of Object.values(tis)) expect(ti).toMatchObject({ state: 'success', try_number: 1 });
    const log = await call(
      'GET',
      'dags/movielens_genie/dagRuns/r1/taskInstances/transform_to_parquet_movies/logs/1',
    );
    expect(log.status).toBe(200);
    const events: string[] = log.body.content.map((l: Json) => l.event);
    expect(events[0]).toMatch(/^job movielens-movies-20260101/);
    expect(events.some((e) => /^submit: job movielens-movies-20260101/.test(e))).toBe(true);
    expect(events.at(-1)).toMatch(/^poll job movielens-movies-20260101.*: done, output .*SUCCEEDED/);
    expect(log.body.content[0].job_url).toBe(
      `${azure.emulators.genieUrl}/jobs?id=${encodeURIComponent(log.body.content[0].job_id)}`,
    );
    const links = await call(
      'GET',
      'dags/movielens_genie/dagRuns/r1/taskInstances/transform_to_parquet_movies/links',
    );
    expect(links.body.extra_links.job).toBe(log.body.content[0].job_url);
    const runs = await call('GET', 'dags/movielens_genie/dagRuns');
    expect(runs.body.dag_runs.map((r: Json) => r.dag_run_id)).toEqual(['r1']);
  });

  it('clears a failed task: it runs again with the next try, its upstream job is not resubmitted', async () => {
    azure.emulators.faults.add({
      kind: 'job-fails',
      service: 'genie',
      jobName: 'movielens-ratings-20260102*',
      times: 'always',
    });
    await call('POST', 'dags/movielens_genie/dagRuns', {
      dag_run_id: 'r2',
      logical_date: '2026-01-02T00:00:00Z',
    });
    await until(
      () => runOf('r2'),
      (r) => r.body.state === 'failed',
      'r2 fails',
    );
    const failed = await tisOf('r2');
    expect(failed.transform_to_parquet_ratings).toMatchObject({ state: 'failed', try_number: 4 });
    expect(failed.transform_to_parquet_movies).toMatchObject({ state: 'success', try_number: 1 });
    azure.emulators.faults.clear();
    const movies = submissions('movielens-movies-20260102');
    expect(movies).toBe(1);

    const cleared = await call('POST', 'dags/movielens_genie/clearTaskInstances', {
      dag_run_id: 'r2',
      dry_run: false,
      task_ids: ['transform_to_parquet_ratings'],
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body.task_instances.map((t: Json) => t.task_id)).toEqual(['transform_to_parquet_ratings']);
    expect(azure.host.status('movielens_genie:r2!2')).toBeDefined();
    await until(
      () => runOf('r2'),
      (r) => r.body.state === 'success',
      'r2 succeeds after the clear',
    );
    const after = await tisOf('r2');
    expect(after.transform_to_parquet_ratings).toMatchObject({ state: 'success', try_number: 5 });
    expect(after.transform_to_parquet_movies).toMatchObject({ state: 'success', try_number: 1 });
    expect(submissions('movielens-movies-20260102')).toBe(1);
    const tries = await call(
      'GET',
      'dags/movielens_genie/dagRuns/r2/taskInstances/transform_to_parquet_ratings/tries',
    );
    expect(tries.body.task_instances.map((t: Json) => [t.try_number, t.state])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'failed'],
      [4, 'failed'],
      [5, 'success'],
    ]);
    const log4 = await call(
      'GET',
      'dags/movielens_genie/dagRuns/r2/taskInstances/transform_to_parquet_ratings/logs/4',
    );
    expect(log4.body.content.at(-1)).toMatchObject({ level: 'error' });
    expect(log4.body.content.at(-1).event).toMatch(/failed: JobFailed/);
  });

  it('cancel (state failed) stops the run and the job it started', async () => {
    azure.emulators.faults.add({
      kind: 'action-stuck',
      service: 'genie',
      jobName: 'movielens-movies-20260103*',
    });
    await call('POST', 'dags/movielens_genie/dagRuns', {
      dag_run_id: 'r3',
      logical_date: '2026-01-03T00:00:00Z',
    });
    await until(
      () => tisOf('r3'),
      (t) =>
        t.transform_to_parquet_movies.state === 'running' && submissions('movielens-movies-20260103') === 1,
      'the movies job runs',
    );
    const cancelled = await call('PATCH', 'dags/movielens_genie/dagRuns/r3', { state: 'failed' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('failed');
    const tis = await tisOf('r3');
    expect(tis.transform_to_parquet_movies.state).toBe('failed');
    expect(tis.transform_to_parquet_ratings.state).toBe('skipped');
    const log = await call(
      'GET',
      'dags/movielens_genie/dagRuns/r3/taskInstances/transform_to_parquet_movies/logs/1',
    );
    expect(log.body.content.at(-1).event).toMatch(/^cancel job movielens-movies-20260103.*: done/);
    expect((await call('PATCH', 'dags/movielens_genie/dagRuns/r3', { state: 'failed' })).status).toBe(409);
  });

  it('a re-run of a run still going stops it first; its unfinished tasks run again with the next try', async () => {
    azure.emulators.faults.add({
      kind: 'action-stuck',
      service: 'genie',
      jobName: 'movielens-movies-20260104*',
    });
    await call('POST', 'dags/movielens_genie/dagRuns', {
      dag_run_id: 'r4',
      logical_date: '2026-01-04T00:00:00Z',
    });
    await until(
      () => tisOf('r4'),
      (t) =>
        t.transform_to_parquet_movies.state === 'running' && submissions('movielens-movies-20260104') === 1,
      'the movies job runs',
    );
    const rerun = await azure.backend.rerun('movielens_genie', 'r4', { cleared: [] });
    expect(rerun.kind).toBe('rerun');
    expect(azure.host.status('movielens_genie:r4')?.runtimeStatus).toBe('Terminated');
    await until(
      () => runOf('r4'),
      (r) => r.body.state === 'success',
      'r4 succeeds in its second attempt',
    );
    const tis = await tisOf('r4');
    expect(tis.transform_to_parquet_movies).toMatchObject({ state: 'success', try_number: 2 });
    expect(tis.transform_to_parquet_ratings).toMatchObject({ state: 'success', try_number: 1 });
    const tries = await call(
      'GET',
      'dags/movielens_genie/dagRuns/r4/taskInstances/transform_to_parquet_movies/tries',
    );
    expect(tries.body.task_instances.map((t: Json) => [t.try_number, t.state])).toEqual([
      [1, 'failed'],
      [2, 'success'],
    ]);
    expect(submissions('movielens-movies-20260104')).toBe(2);
    const runs = await call('GET', 'dags/movielens_genie/dagRuns');
    expect(runs.body.dag_runs.filter((r: Json) => r.dag_run_id === 'r4')).toHaveLength(1);
  });

  it('a paused DAG starts no scheduled run; unpaused, it does', async () => {
    const tick = async (): Promise<void> => {
      const reg = azure.host.registration('scheduleTick')!;
      await reg.handler({ isPastDue: false }, azure.host.invocationContext('scheduleTick', reg));
    };
    const paused = await call('PATCH', 'dags/ticks', { is_paused: true });
    expect(paused.body.is_paused).toBe(true);
    expect((await call('GET', 'dags/ticks')).body.is_paused).toBe(true);
    await tick();
    expect((await call('GET', 'dags/ticks/dagRuns')).body.total_entries).toBe(0);
    expect((await call('PATCH', 'dags/ticks', { is_paused: false })).body.is_paused).toBe(false);
    await tick();
    const runs = await call('GET', 'dags/ticks/dagRuns');
    expect(runs.body.dag_runs.map((r: Json) => r.run_type)).toEqual(['scheduled']);
  });

  it('the minute timer catches up a catchup DAG and starts the runs of a backfill, max_active_runs at a time', async () => {
    const day = (back: number): string => new Date(Date.now() - back * 86_400_000).toISOString().slice(0, 10);
    const tick = async (): Promise<void> => {
      const reg = azure.host.registration('scheduleTick')!;
      await reg.handler({ isPastDue: false }, azure.host.invocationContext('scheduleTick', reg));
    };
    await azure.upload(
      'catchy.yaml',
      `dag_id: catchy\nschedule: '@daily'\nstart_date: ${day(3)}\ncatchup: true\ntasks:\n  a: { operator: empty }\n`,
    );
    await tick();
    const caught = await call('GET', 'dags/catchy/dagRuns');
    // Midnight of each day from start_date through today's: the three days before and today's.
    expect(caught.body.dag_runs.map((r: Json) => r.run_type)).toEqual(Array<string>(4).fill('scheduled'));
    await tick();
    expect((await call('GET', 'dags/catchy/dagRuns')).body.total_entries).toBe(4);

    await azure.upload(
      'filled.yaml',
      `dag_id: filled\nschedule: '@daily'\ntasks:\n  a: { operator: empty }\n`,
    );
    const made = await call('POST', 'backfills', {
      dag_id: 'filled',
      from_date: `${day(5)}T00:00:00Z`,
      to_date: `${day(2)}T00:00:00Z`,
      max_active_runs: 1,
    });
    expect(made.status).toBe(200);
    const id = made.body.id as number;
    for (let i = 0; i < 10 && (await azure.backend.getBackfill(id))!.completed_at === null; i++) {
      await until(
        () => call('GET', 'dags/filled/dagRuns'),
        (r) => r.body.dag_runs.every((x: Json) => x.state === 'success'),
        'the backfill runs so far succeed',
      );
      await tick();
    }
    expect((await call('GET', `backfills/${id}`)).body.completed_at).not.toBeNull();
    const runs = (await azure.backend.listRuns('filled')).sort((a, b) =>
      a.run_after.localeCompare(b.run_after),
    );
    expect(runs.map((r) => [r.run_type, r.backfill_id, r.state])).toEqual(
      Array.from({ length: 4 }, () => ['backfill', id, 'success']),
    );
    expect(runs.map((r) => r.dag_run_id)).toEqual(runs.map((r) => `backfill__${r.logical_date}`));
    // One at a time: each run started once the one before had ended.
    const started = [...runs].sort((a, b) => a.start_date!.localeCompare(b.start_date!));
    for (let i = 1; i < started.length; i++)
      expect(started[i]!.start_date! >= started[i - 1]!.end_date!).toBe(true);
  });
});
