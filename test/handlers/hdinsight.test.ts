import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_OUTPUTS } from '../../src/dag/operators/outputs.ts';
import type { SubmitResult, TaskInvocation } from '../../src/handlers/contract.ts';
import { handleTask } from '../../src/handlers/task.ts';
import {
  CLUSTER,
  HDINSIGHT_CONNECTION,
  KEY_VAULT_SECRETS,
  failure,
  invocation,
  pollUntilDone,
  runTask,
  startHarness,
  type Harness,
} from './fixtures.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ jobs: [{ jobName: 'stream-*', runSeconds: null }], defaultJobRunSeconds: 30 });
});
afterAll(() => h.close());

const NEW_CONFIG = {
  action: 'NEW',
  cluster: CLUSTER,
  job_name: 'wordcount-{{ run_id }}',
  jar_directory: 'abfs://jars@acct.dfs.core.windows.net/jars',
  jar_name: '{{ params.jarName }}',
  entry_class: 'org.apache.flink.examples.java.wordcount.WordCount',
  args: '--input /opt/flink/LICENSE --output /tmp/{{ ds_nodash }}',
  flink_configuration: { parallelism: '2' },
};

const hdi = (
  config: Record<string, unknown>,
  waitFor: TaskInvocation['task']['wait_for'] = 'FINISHED',
  extra: Partial<TaskInvocation> = {},
) =>
  invocation(
    {
      operator: 'flink.hdinsight',
      config,
      wait_for: waitFor,
      connection: HDINSIGHT_CONNECTION,
      secrets: KEY_VAULT_SECRETS,
    },
    extra,
  );

describe('flink.hdinsight handler against the ARM emulator', () => {
  it('NEW with wait_for FINISHED submits once, tracks the batch job to FINISHED and returns only declared outputs', async () => {
    const inv = hdi(NEW_CONFIG);
    const { job, output } = await runTask(h, inv);
    expect(job.job_name).toMatch(/^wordcount-manual-2026-11-21t10-00-0\d-00-00-r\d+-[0-9a-f]{10}$/);
    expect(output).toMatchObject({
      action: 'NEW',
      action_result: 'SUCCESS',
      status: 'FINISHED',
      job_name: job.job_name,
    });
    expect(output.job_id).toMatch(/^[0-9a-f]{32}$/);
    expect(Object.keys(output).sort()).toEqual([...OPERATOR_OUTPUTS['flink.hdinsight']].sort());
    expect(h.emu.stats.submissions[job.job_name]).toBe(1);
  });

  it('a repeated submit of the same try finds the job instead of starting a second; try 2 starts a new one', async () => {
    const inv = hdi(NEW_CONFIG);
    const first = (await handleTask(inv, h.deps)) as SubmitResult;
    const again = (await handleTask(inv, h.deps)) as SubmitResult;
    expect(again.job.job_name).toBe(first.job.job_name);
    expect(again.job.handle.found).toBe('existing');
    expect(h.emu.stats.submissions[first.job.job_name]).toBe(1);
    const retry = (await handleTask({ ...inv, try_number: 2 }, h.deps)) as SubmitResult;
    expect(retry.job.job_name).toMatch(
      new RegExp(`^${first.job.job_name.replace(/-[0-9a-f]{10}$/, '')}-try2-[0-9a-f]{10}$`),
    );
    expect(h.emu.stats.submissions[retry.job.job_name]).toBe(1);
  });

  it('walks a streaming job through all eleven actions', async () => {
    const newInv = hdi({ ...NEW_CONFIG, job_name: 'stream-{{ run_id }}' }, 'RUNNING');
    const started = await runTask(h, newInv);
    expect(started.output.status).toBe('RUNNING');
    const name = started.job.job_name;
    const act = async (
      action: string,
      waitFor: 'RUNNING' | 'FINISHED' = 'FINISHED',
      more: Record<string, unknown> = {},
    ) => {
      const inv = hdi(
        { action, cluster: CLUSTER, job_name: '{{ tasks.submit.output.job_name }}', ...more },
        waitFor,
        {
          run: newInv.run,
          upstream: { submit: started.output },
        },
      );
      return (await runTask(h, { ...inv, task: { ...inv.task, task_id: `do_${action.toLowerCase()}` } }))
        .output;
    };
    const savepoint = await act('SAVEPOINT');
    expect(savepoint).toMatchObject({
      action: 'SAVEPOINT',
      action_result: 'SUCCESS',
      status: 'RUNNING',
      job_name: name,
    });
    expect(savepoint.last_savepoint).toMatch(/savepoint-/);
    const listed = await act('LIST_SAVEPOINT');
    expect(listed.savepoints).toEqual([savepoint.last_savepoint]);
    const stopped = await act('STOP');
    expect(stopped).toMatchObject({ status: 'STOPPED', action_result: 'SUCCESS' });
    expect(stopped.last_savepoint).not.toBe(savepoint.last_savepoint);
    const restarted = await act('START', 'RUNNING');
    expect(restarted.status).toBe('RUNNING');
    expect(restarted.job_output).toContain(String(stopped.last_savepoint));
    expect((await act('UPDATE', 'RUNNING', { args: '--v 2' })).status).toBe('RUNNING');
    expect((await act('STATELESS_UPDATE', 'RUNNING')).job_output).toBe('Job started without state.');
    expect((await act('LAST_STATE_UPDATE', 'RUNNING')).job_output).toMatch(/chk-\d+/);
    expect((await act('CANCEL')).status).toBe('CANCELED');
    expect((await act('RE_LAUNCH', 'RUNNING')).status).toBe('RUNNING');
    expect((await act('CANCEL')).status).toBe('CANCELED');
    expect(await act('DELETE')).toMatchObject({ action: 'DELETE', status: 'DELETED' });
    expect(h.emu.stats.submissions[name]).toBe(1);
  });

  it('an action the job cannot take ends JobFailed; a job that fails ends JobFailed', async () => {
    const batch = await runTask(h, hdi(NEW_CONFIG));
    const stop = hdi({ action: 'STOP', cluster: CLUSTER, job_name: batch.job.job_name });
    expect((await failure(runTask(h, stop))).name).toBe('BadInput'); // ARM 400 InvalidJobAction on a FINISHED job
    h.emu.faults.add({ kind: 'job-fails', service: 'hdinsight', jobName: 'failing-*', afterSeconds: 1 });
    const failing = hdi({ ...NEW_CONFIG, job_name: 'failing-{{ run_id }}' });
    const error = await failure(runTask(h, failing));
    expect(error.name).toBe('JobFailed');
    expect(error.message).toMatch(/ended FAILED/);
  });

  it('cancel stops a running job', async () => {
    const inv = hdi({ ...NEW_CONFIG, job_name: 'stream-c-{{ run_id }}' }, 'RUNNING');
    const { job } = await runTask(h, inv);
    const cancelled = (await handleTask({ ...inv, op: 'cancel', job }, h.deps)) as {
      output: Record<string, unknown>;
    };
    expect(cancelled.output).toMatchObject({ action: 'CANCEL', status: 'RUNNING' });
    const after = await h.emu.state.hdinsight.get(
      '/subscriptions/0b1e7c6a-0000-4000-8000-000000000001/resourceGroups/rg1/providers/Microsoft.HDInsight/clusterpools/pool1/clusters/flink1',
      job.job_name,
    );
    expect(after?.action).toBe('CANCEL');
  });

  it('an operation location ARM no longer knows falls back to the jobs list', async () => {
    const inv = hdi(NEW_CONFIG);
    const { job } = (await handleTask(inv, h.deps)) as SubmitResult;
    const gone = job.handle.location!.replace(/operationresults\/[^?]+/, 'operationresults/expired-op');
    const { output } = await pollUntilDone(h, inv, { ...job, handle: { ...job.handle, location: gone } });
    expect(output).toMatchObject({ status: 'FINISHED', action_result: 'SUCCESS' });
  });

  it('wait_for ACCEPTED returns without waiting for the action', async () => {
    const inv = hdi({ ...NEW_CONFIG, job_name: 'stream-a-{{ run_id }}' }, 'ACCEPTED');
    const { output } = await runTask(h, inv);
    expect(output.action).toBe('NEW');
    expect(['IN_PROGRESS', 'SUCCESS']).toContain(output.action_result);
  });
});
