import { describe, expect, it } from 'vitest';

/**
 * One test suite of the Airflow REST API v2, run against every host: AWS (the Lambda handler on
 * dynalite, s3rver and the local Step Functions service), Azure (the Functions HTTP trigger on the
 * local Durable host and Azurite) and `airless standalone` (HTTP). A host test file starts its host
 * and calls `apiV2Suite(name, start)`; runs execute with the real task handler against the built-in
 * emulators.
 */
export interface ApiV2Host {
  /** One API call through the host's real entry; `path` starts with /api/v2/ and may hold a query. */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** Uploads a DAG file as users do (object, blob or file in the DAGs folder); resolves once handled. */
  upload(fileName: string, text: string): Promise<void>;
  /**
   * The emulated Flink JobManager's base URL (a literal `endpoint` in the suite's DAGs). The host
   * starts its emulators with `jobs: [{ jobName: 'stream-*', runSeconds: null }]`: those run until stopped.
   */
  flinkUrl: string;
  /** Arms an emulator fault (POST /_admin/faults body, see src/local/emulators/faults.ts). */
  fault(spec: Record<string, unknown>): Promise<void>;
  /** Jobs the emulators were asked to start: one entry per submission, by job name. */
  submittedJobs(): Promise<string[]>;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

export const suiteDag = (flinkUrl: string, dagId = 'api_suite'): string => `
dag_id: ${dagId}
description: the API suite's DAG
schedule: null
max_active_runs: 4
params:
  rows: { type: integer, minimum: 1, default: 10, description: rows to load }
  mode: { type: string, enum: [fast, slow], default: fast }
default_args:
  execution_timeout: 1h
tasks:
  prepare: { operator: empty }
  load:
    operator: flink.rest
    endpoint: ${flinkUrl}
    action: NEW
    jar_id: load.jar
    entry_class: org.example.Load
    job_name: 'load-{{ run_id }}'
    args: ['--job-name', 'load-{{ run_id }}']
    poke_interval: 1s
    depends_on: [prepare]
  report:
    operator: flink.rest
    endpoint: ${flinkUrl}
    action: NEW
    jar_id: report.jar
    entry_class: org.example.Report
    job_name: 'report-{{ run_id }}'
    args: ['--job-name', 'report-{{ run_id }}']
    poke_interval: 1s
    depends_on: [load]
`;

async function until<T>(
  what: string,
  read: () => Promise<T>,
  done: (v: T) => boolean,
  ms = 60_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function apiV2Suite(name: string, start: () => Promise<ApiV2Host>, timeoutMs = 120_000): void {
  describe(`Airflow REST API v2 on ${name}`, () => {
    const get = async (host: ApiV2Host, path: string) => (await host.request('GET', path)).body as Json;
    const runState = (host: ApiV2Host, runId: string) =>
      until(
        `run ${runId} to end`,
        () => get(host, `/api/v2/dags/api_suite/dagRuns/${runId}`),
        (r) => r.state === 'success' || r.state === 'failed',
      );
    const instances = async (host: ApiV2Host, runId: string) =>
      Object.fromEntries(
        (
          (await get(host, `/api/v2/dags/api_suite/dagRuns/${runId}/taskInstances`)).task_instances as Json[]
        ).map((t) => [t.task_id, t]),
      ) as Record<string, Json>;

    it(
      'registers, pauses, triggers with conf, reports task instances and logs, refuses bad conf per field',
      async () => {
        const host = await start();
        try {
          await host.upload('api_suite.yaml', suiteDag(host.flinkUrl));
          const dags = await get(host, '/api/v2/dags');
          expect(dags.total_entries).toBe(1);
          expect((dags.dags as Json[])[0]).toMatchObject({
            dag_id: 'api_suite',
            is_paused: false,
            max_active_runs: 4,
          });
          const details = await get(host, '/api/v2/dags/api_suite/details');
          expect((details.params as Json).mode).toMatchObject({
            value: 'fast',
            schema: { enum: ['fast', 'slow'] },
          });

          const paused = await host.request('PATCH', '/api/v2/dags/api_suite', { is_paused: true });
          expect(paused).toMatchObject({ status: 200, body: { is_paused: true } });
          expect((await get(host, '/api/v2/dags/api_suite')).is_paused).toBe(true);
          await host.request('PATCH', '/api/v2/dags/api_suite', { is_paused: false });

          const bad = await host.request('POST', '/api/v2/dags/api_suite/dagRuns', {
            logical_date: null,
            conf: { rows: 0 },
          });
          expect(bad.status).toBe(422);
          expect(((bad.body as Json).detail as Json[])[0]!.loc).toEqual(['body', 'conf', 'rows']);

          const created = await host.request('POST', '/api/v2/dags/api_suite/dagRuns', {
            dag_run_id: 'first',
            logical_date: null,
            conf: { rows: 5 },
          });
          expect(created.status).toBe(200);
          expect(created.body).toMatchObject({ dag_run_id: 'first', run_type: 'manual', conf: { rows: 5 } });
          const again = await host.request('POST', '/api/v2/dags/api_suite/dagRuns', {
            dag_run_id: 'first',
            logical_date: null,
            conf: { rows: 5 },
          });
          expect(again.status).toBe(200);
          expect((await runState(host, 'first')).state).toBe('success');

          const tis = await instances(host, 'first');
          expect(
            Object.fromEntries(Object.entries(tis).map(([k, t]) => [k, [t.state, t.try_number]])),
          ).toEqual({
            prepare: ['success', expect.any(Number)],
            load: ['success', 1],
            report: ['success', 1],
          });
          const log = await get(host, '/api/v2/dags/api_suite/dagRuns/first/taskInstances/load/logs/1');
          const lines = log.content as Json[];
          expect(lines.length).toBeGreaterThan(0);
          expect(lines.some((l) => typeof l.job_id === 'string' && l.job_id !== '')).toBe(true);
          const links = await get(host, '/api/v2/dags/api_suite/dagRuns/first/taskInstances/load/links');
          expect(String((links.extra_links as Json).job)).toMatch(/^http:\/\/127\.0\.0\.1:/);
          expect((await host.submittedJobs()).filter((j) => j.endsWith('first')).length).toBe(2);

          const runs = await get(host, '/api/v2/dags/api_suite/dagRuns?order_by=-id');
          expect(runs.total_entries).toBe(1);
          const missing = await host.request('GET', '/api/v2/dags/api_suite/dagRuns/nope');
          expect(missing.status).toBe(404);
          expect(typeof (missing.body as Json).detail).toBe('string');
        } finally {
          await host.close();
        }
      },
      timeoutMs,
    );

    it(
      'an invalid upload shows in importErrors with file:line:col and the live version stays',
      async () => {
        const host = await start();
        try {
          await host.upload('api_suite.yaml', suiteDag(host.flinkUrl));
          await host.upload(
            'api_suite.yaml',
            suiteDag(host.flinkUrl).replace('operator: empty', 'operator: emptyy'),
          );
          const errors = await get(host, '/api/v2/importErrors');
          expect(errors.total_entries).toBe(1);
          const error = (errors.import_errors as Json[])[0]!;
          expect(String(error.filename)).toMatch(/api_suite\.yaml$/);
          expect(String(error.stack_trace)).toMatch(/api_suite\.yaml:\d+:\d+: /);
          const dag = await get(host, '/api/v2/dags/api_suite');
          expect(dag).toMatchObject({ dag_id: 'api_suite', has_import_errors: true });
          expect(
            (await host.request('POST', '/api/v2/dags/api_suite/dagRuns', { dag_run_id: 'still' })).status,
          ).toBe(200);
        } finally {
          await host.close();
        }
      },
      timeoutMs,
    );

    it(
      'clears a failed task with its downstream: it runs again with the next try, the upstream job is not resubmitted',
      async () => {
        const host = await start();
        try {
          await host.upload(
            'api_suite.yaml',
            suiteDag(host.flinkUrl).replace('default_args:', 'default_args:\n  retries: 0'),
          );
          await host.fault({ kind: 'job-fails', service: 'flink', jobName: 'report-*', afterSeconds: 1 });
          await host.request('POST', '/api/v2/dags/api_suite/dagRuns', { dag_run_id: 'c1' });
          expect((await runState(host, 'c1')).state).toBe('failed');
          const before = await instances(host, 'c1');
          expect([before.load!.state, before.report!.state]).toEqual(['success', 'failed']);

          const dry = await host.request('POST', '/api/v2/dags/api_suite/clearTaskInstances', {
            dag_run_id: 'c1',
            only_failed: true,
            include_downstream: true,
          });
          expect(dry.status).toBe(200);
          expect(((dry.body as Json).task_instances as Json[]).map((t) => t.task_id)).toEqual(['report']);
          expect((await get(host, '/api/v2/dags/api_suite/dagRuns/c1')).state).toBe('failed');

          const cleared = await host.request('POST', '/api/v2/dags/api_suite/clearTaskInstances', {
            dag_run_id: 'c1',
            dry_run: false,
            only_failed: true,
            include_downstream: true,
          });
          expect(cleared.status).toBe(200);
          expect((await runState(host, 'c1')).state).toBe('success');
          const after = await instances(host, 'c1');
          expect([after.load!.state, after.load!.try_number]).toEqual(['success', 1]);
          expect([after.report!.state, after.report!.try_number]).toEqual(['success', 2]);
          const tries = await get(host, '/api/v2/dags/api_suite/dagRuns/c1/taskInstances/report/tries');
          expect((tries.task_instances as Json[]).map((t) => [t.try_number, t.state])).toEqual([
            [1, 'failed'],
            [2, 'success'],
          ]);
          const jobs = await host.submittedJobs();
          expect(jobs.filter((j) => j.startsWith('load-') && j.endsWith('c1')).length).toBe(1);
        } finally {
          await host.close();
        }
      },
      timeoutMs,
    );

    it(
      'marks a running run failed: its job is stopped and the run ends failed',
      async () => {
        const host = await start();
        try {
          await host.upload(
            'api_suite.yaml',
            suiteDag(host.flinkUrl).replaceAll("'load-{{ run_id }}'", "'stream-{{ run_id }}'"),
          );
          await host.request('POST', '/api/v2/dags/api_suite/dagRuns', { dag_run_id: 'k1' });
          await until(
            'load to run',
            () => instances(host, 'k1'),
            (t) => t.load?.state === 'running',
          );
          const patched = await host.request('PATCH', '/api/v2/dags/api_suite/dagRuns/k1', {
            state: 'failed',
          });
          expect(patched).toMatchObject({ status: 200, body: { state: 'failed' } });
          expect((await runState(host, 'k1')).state).toBe('failed');
        } finally {
          await host.close();
        }
      },
      timeoutMs,
    );
  });
}
