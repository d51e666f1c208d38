import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubmitResult, TaskInvocation } from '../../src/handlers/contract.ts';
import { handleTask } from '../../src/handlers/task.ts';
import { failure, invocation, runTask, startHarness, type Harness } from './fixtures.ts';

let h: Harness;
let jarPath: string;
beforeAll(async () => {
  h = await startHarness({ jobs: [{ jobName: 'stream-*', runSeconds: null }], defaultJobRunSeconds: 20 });
  jarPath = join(mkdtempSync(join(tmpdir(), 'airless-jar-')), 'orders-1.2.jar');
  writeFileSync(jarPath, Buffer.from('PK\u0003\u0004 not really a jar'));
});
afterAll(() => h.close());

const jobsInFlink = () => h.emu.state.flink.get('flink')!.allJobs().length;

const flinkTask = (
  taskId: string,
  config: Record<string, unknown>,
  waitFor: TaskInvocation['task']['wait_for'],
  extra: Partial<TaskInvocation> = {},
) => {
  const inv = invocation(
    { operator: 'flink.rest', config: { endpoint: h.emu.flinkUrl, ...config }, wait_for: waitFor },
    extra,
  );
  return { ...inv, task: { ...inv.task, task_id: taskId } };
};

describe('flink.rest handler against the Flink JobManager emulator', () => {
  it('NEW uploads the jar, runs it with a pinned JobID and tracks a batch job to FINISHED', async () => {
    const inv = flinkTask(
      'wordcount',
      {
        action: 'NEW',
        jar_path: jarPath,
        entry_class: 'org.example.WordCount',
        args: '--job-name batch-1',
        parallelism: '2',
      },
      'FINISHED',
    );
    const before = jobsInFlink();
    const { job, output } = await runTask(h, inv);
    expect(output).toMatchObject({ status: 'FINISHED', job_name: job.job_name, job_id: job.job_id });
    expect(output.jar_id).toMatch(/_orders-1\.2\.jar$/);
    expect(Object.keys(output).sort()).toEqual(['jar_id', 'job_id', 'job_name', 'last_savepoint', 'status']);
    const again = (await handleTask(inv, h.deps)) as SubmitResult;
    expect(again.job).toMatchObject({ job_id: job.job_id, handle: { found: 'existing' } });
    expect(jobsInFlink()).toBe(before + 1);
    expect(h.emu.stats.submissions['batch-1']).toBe(1);
  });

  it('walks a streaming job through every action: SAVEPOINT, STOP, START, the three updates, CANCEL, DELETE', async () => {
    const run = invocation({ operator: 'flink.rest', config: {} }).run;
    const outputs: Record<string, Record<string, unknown>> = {};
    const step = async (
      id: string,
      config: Record<string, unknown>,
      waitFor: 'RUNNING' | 'FINISHED' = 'FINISHED',
    ) => {
      const inv = flinkTask(id, config, waitFor, { run, upstream: outputs });
      outputs[id] = (await runTask(h, inv)).output;
      return outputs[id]!;
    };
    const jar = { entry_class: 'org.example.Orders', args: ['--job-name', 'stream-orders'] };
    const started = await step(
      'new',
      { action: 'NEW', jar_path: jarPath, job_name: 'orders-{{ run_id }}', ...jar },
      'RUNNING',
    );
    expect(started.status).toBe('RUNNING');
    const sp = await step('savepoint', {
      action: 'SAVEPOINT',
      job_name: '{{ tasks.new.output.job_name }}',
      target_directory: 'file:///sp',
    });
    expect(sp).toMatchObject({ status: 'RUNNING', job_id: started.job_id });
    expect(sp.last_savepoint).toMatch(/^file:\/\/\/sp\/savepoint-/);
    const stopped = await step('stop', { action: 'STOP', job_id: '{{ tasks.new.output.job_id }}' });
    expect(stopped.status).toBe('FINISHED');
    expect(stopped.last_savepoint).toMatch(/savepoint-/);
    const restarted = await step(
      'start',
      {
        action: 'START',
        jar_id: '{{ tasks.new.output.jar_id }}',
        job_name: 'orders-{{ run_id }}',
        savepoint_path: '{{ tasks.stop.output.last_savepoint }}',
        ...jar,
      },
      'RUNNING',
    );
    expect(restarted.status).toBe('RUNNING');
    expect(restarted.job_id).not.toBe(started.job_id);
    const flinkJm = h.emu.state.flink.get('flink')!;
    expect(flinkJm.job(String(restarted.job_id)).restoredFrom).toBe(stopped.last_savepoint);

    const updated = await step(
      'update',
      {
        action: 'UPDATE',
        job_id: '{{ tasks.start.output.job_id }}',
        jar_id: '{{ tasks.new.output.jar_id }}',
        ...jar,
      },
      'RUNNING',
    );
    expect(updated.status).toBe('RUNNING');
    expect(flinkJm.job(String(restarted.job_id)).ended?.state).toBe('FINISHED');
    expect(flinkJm.job(String(updated.job_id)).restoredFrom).toBe(updated.last_savepoint);

    const stateless = await step(
      'stateless',
      {
        action: 'STATELESS_UPDATE',
        job_id: '{{ tasks.update.output.job_id }}',
        jar_id: '{{ tasks.new.output.jar_id }}',
        ...jar,
      },
      'RUNNING',
    );
    expect(flinkJm.job(String(stateless.job_id)).restoredFrom).toBeUndefined();
    expect(flinkJm.job(String(updated.job_id)).ended?.state).toBe('CANCELED');

    h.emu.clock.advance(60); // let checkpoints complete
    const lastState = await step(
      'last_state',
      {
        action: 'LAST_STATE_UPDATE',
        job_id: '{{ tasks.stateless.output.job_id }}',
        jar_id: '{{ tasks.new.output.jar_id }}',
        ...jar,
      },
      'RUNNING',
    );
    expect(flinkJm.job(String(lastState.job_id)).restoredFrom).toMatch(/chk-\d+$/);

    const cancelled = await step('cancel', {
      action: 'CANCEL',
      job_id: '{{ tasks.last_state.output.job_id }}',
    });
    expect(cancelled.status).toBe('CANCELED');
    const jarId = String(started.jar_id);
    expect(flinkJm.jars.has(jarId)).toBe(true);
    const deleted = await step('delete', {
      action: 'DELETE',
      job_id: '{{ tasks.last_state.output.job_id }}',
      jar_id: jarId,
    });
    expect(deleted.status).toBe('CANCELED');
    expect(flinkJm.jars.has(jarId)).toBe(false);
  });

  it('a job that fails ends JobFailed', async () => {
    h.emu.faults.add({ kind: 'job-fails', service: 'flink', jobName: 'doomed', afterSeconds: 1 });
    const inv = flinkTask(
      'doomed',
      { action: 'NEW', jar_path: jarPath, entry_class: 'org.example.X', args: '--job-name doomed' },
      'FINISHED',
    );
    const error = await failure(runTask(h, inv));
    expect([error.name, error.message]).toEqual(['JobFailed', expect.stringContaining('ended FAILED')]);
  });

  it('cancel of a running job cancels it in Flink', async () => {
    const inv = flinkTask(
      'to_cancel',
      { action: 'NEW', jar_path: jarPath, entry_class: 'org.example.X', args: '--job-name stream-c' },
      'RUNNING',
    );
    const { job } = await runTask(h, inv);
    await handleTask({ ...inv, op: 'cancel', job }, h.deps);
    expect(h.emu.state.flink.get('flink')!.job(job.job_id!).ended?.state).toBe('CANCELED');
  });
  it('polling a job Flink does not know answers NotFound, as HDInsight and Genie do (over HTTP to the emulator)', async () => {
    // /jars/{id}/run answers once the Dispatcher holds the job (INITIALIZING), so no grace window.
    const inv = flinkTask(
      'ghost',
      { action: 'NEW', jar_id: 'x.jar', entry_class: 'org.example.X' },
      'FINISHED',
    );
    const ghost = {
      operator: 'flink.rest' as const,
      job_name: 'ghost',
      job_id: 'f'.repeat(32),
      handle: { action: 'NEW' },
      submitted_at: new Date().toISOString(),
    };
    const error = await failure(handleTask({ ...inv, op: 'poll', job: ghost }, h.deps));
    expect(error.name).toBe('NotFound');
    expect(error.message).toContain('f'.repeat(32));
    const accepted = flinkTask('ghost', { action: 'NEW', jar_id: 'x.jar' }, 'ACCEPTED');
    expect((await failure(handleTask({ ...accepted, op: 'poll', job: ghost }, h.deps))).name).toBe(
      'NotFound',
    );
  });

  it('a just-submitted job is found at once: the first poll after submit is never NotFound', async () => {
    const inv = flinkTask(
      'fresh',
      {
        action: 'NEW',
        jar_path: jarPath,
        entry_class: 'org.example.X',
        args: ['--job-name', 'stream-fresh'],
      },
      'FINISHED',
    );
    const { job } = (await handleTask(inv, h.deps)) as SubmitResult;
    const error = await failure(handleTask({ ...inv, op: 'poll', job }, h.deps));
    expect(error.name).toBe('StillRunning');
    expect(error.message).toMatch(/INITIALIZING|RUNNING/);
  });
});
