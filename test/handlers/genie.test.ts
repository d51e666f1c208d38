import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenieClient } from '../../src/clients/genie.ts';
import { NO_AUTH } from '../../src/clients/http.ts';
import type { SubmitResult, TaskInvocation } from '../../src/handlers/contract.ts';
import { handleTask } from '../../src/handlers/task.ts';
import { failure, invocation, runTask, startHarness, type Harness } from './fixtures.ts';

let h: Harness;
let client: GenieClient;
beforeAll(async () => {
  h = await startHarness({ jobs: [{ jobName: '*long*', runSeconds: null }], defaultJobRunSeconds: 10 });
  client = new GenieClient({ service: 'Genie', baseUrl: h.emu.genieUrl, auth: NO_AUTH, timeoutMs: 2000 });
  process.env.AIRLESS_SECRET_GENIE_PASSWORD = 'genie-pw-123';
});
afterAll(() => h.close());

const genieTask = (
  config: Record<string, unknown>,
  waitFor: TaskInvocation['task']['wait_for'] = 'FINISHED',
) =>
  invocation({
    operator: 'genie',
    config: { command_tags: ['type:spark-submit'], ...config },
    wait_for: waitFor,
    connection: {
      name: 'genie',
      type: 'genie_basic',
      fields: { host: h.emu.genieUrl, username: 'etl-user', password: { secret: 'genie_password' } },
    },
    secrets: { backend: 'env', options: {} },
  });

describe('genie handler against the Genie emulator', () => {
  it('submits with cluster criteria in order, tracks to SUCCEEDED, and a repeated submit finds the job', async () => {
    const inv = genieTask({
      cluster_tags: [['emr.cluster.role:none'], ['emr.cluster.role:adhoc']],
      command_arguments: '--class Movielens s3://jars/movielens.jar {{ ds }}',
      dependencies: ['s3://jars/movielens.jar'],
      timeout: '2h',
      job_name: 'movielens-{{ ds_nodash }}-{{ run_id }}',
    });
    const { job, output } = await runTask(h, inv);
    expect(output).toMatchObject({
      status: 'SUCCEEDED',
      cluster_name: 'emr-adhoc',
      command_name: 'spark-submit',
      job_id: job.job_name,
    });
    expect(Object.keys(output).sort()).toEqual([
      'cluster_name',
      'command_name',
      'job_id',
      'job_name',
      'status',
      'status_msg',
    ]);
    const again = (await handleTask(inv, h.deps)) as SubmitResult;
    expect(again.job.handle.found).toBe('existing');
    expect(h.emu.stats.submissions[job.job_name]).toBe(1);
    const stored = await client.job(job.job_name);
    expect(stored).toMatchObject({
      user: 'etl-user',
      grouping: 'handlers_test',
      commandArgs: '--class Movielens s3://jars/movielens.jar 2026-11-21',
    });
    expect(String(await client.output(job.job_name, 'stdout'))).toContain('spark-submit');
    expect(await client.output(job.job_name)).toMatchObject({
      files: [{ name: 'stdout' }, { name: 'stderr' }],
    });
  });

  it('a job whose tags match no cluster ends JobFailed (INVALID); a failing job ends JobFailed', async () => {
    const invalid = await failure(runTask(h, genieTask({ cluster_tags: ['type:presto'] })));
    expect([invalid.name, invalid.message]).toEqual(['JobFailed', expect.stringContaining('INVALID')]);
    h.emu.faults.add({ kind: 'job-fails', service: 'genie', jobName: '*doomed*', afterSeconds: 1 });
    const failed = await failure(
      runTask(h, genieTask({ cluster_tags: ['type:yarn'], job_name: 'doomed-{{ run_id }}' })),
    );
    expect([failed.name, failed.message]).toEqual(['JobFailed', expect.stringContaining('FAILED')]);
  });

  it('wait_for RUNNING returns once running; cancel kills the job', async () => {
    const inv = genieTask({ cluster_tags: ['type:yarn'], job_name: 'long-{{ run_id }}' }, 'RUNNING');
    const { job, output } = await runTask(h, inv);
    expect(output.status).toBe('RUNNING');
    await handleTask({ ...inv, op: 'cancel', job }, h.deps);
    expect(await client.status(job.job_name)).toBe('KILLED');
  });

  it('the basic-auth password is in no output and no log line', async () => {
    const inv = genieTask({ cluster_tags: ['type:yarn'] });
    const { output } = await runTask(h, inv);
    expect(JSON.stringify(output) + h.logs.join('\n')).not.toContain('genie-pw-123');
    expect(h.logs.join('\n')).not.toContain(Buffer.from('etl-user:genie-pw-123').toString('base64'));
  });
});
