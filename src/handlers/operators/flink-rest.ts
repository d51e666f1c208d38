import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { z } from 'zod';
import { configSchema } from '../../dag/operators/definition.ts';
import { flinkRest } from '../../dag/operators/flink-rest.ts';
import { AirlessError, isAirlessError } from '../../errors.ts';
import { FlinkRestClient, type FlinkJobState, type JobDetails } from '../../clients/flink-rest.ts';
import { withTransientRetry } from '../../clients/retry.ts';
import type { JobRef } from '../contract.ts';
import { jobNameFor, stableHexId } from '../job-name.ts';
import {
  DATA_PLANE_SCOPE,
  parseConfig,
  serviceUrl,
  requireField,
  type JobOperator,
  type OperatorCall,
  type Output,
} from './job-operator.ts';

/**
 * The abstract Flink actions over a JobManager's REST API. Every id is derived, never random: the
 * JobID a run pins is a hash of the job name, savepoint trigger ids hash the task try, so a repeated
 * call finds what an earlier one started, and poll can work out each step of an update from Flink.
 */
const ConfigSchema = configSchema(flinkRest);
type Config = z.infer<typeof ConfigSchema>;

const STARTS: readonly string[] = ['NEW', 'START'];
const UPDATES: readonly string[] = ['UPDATE', 'STATELESS_UPDATE', 'LAST_STATE_UPDATE'];
const TERMINAL: readonly FlinkJobState[] = ['FAILED', 'CANCELED', 'FINISHED', 'SUSPENDED'];

interface Prepared {
  config: Config;
  client: FlinkRestClient;
  jobName: string;
  baseUrl: string;
}

function prepare(call: OperatorCall): Prepared {
  const config = parseConfig('flink.rest', ConfigSchema, call.config);
  const baseUrl = serviceUrl(call, call.runtime.flinkEndpoint, config.endpoint);
  const client = new FlinkRestClient(call.target('Flink REST', baseUrl, DATA_PLANE_SCOPE));
  const startsJob = STARTS.includes(config.action) || UPDATES.includes(config.action);
  return { config, client, jobName: jobNameFor(call.invocation, config.job_name, startsJob), baseUrl };
}

/** The running job an action applies to: its id, or the id its job name pins. */
function targetJobId(p: Prepared): string {
  if (p.config.job_id) return p.config.job_id;
  requireField('flink.rest', p.config.action, 'job_id or job_name', p.config.job_name);
  return stableHexId('flink-job', p.jobName);
}

async function jobOrUndefined(client: FlinkRestClient, jobId: string): Promise<JobDetails | undefined> {
  try {
    return await client.job(jobId);
  } catch (error) {
    if (isAirlessError(error, 'NotFound')) return undefined;
    throw error;
  }
}

/** Whether Flink already knows a savepoint trigger id: an earlier attempt of this call sent it. */
async function savepointKnown(client: FlinkRestClient, jobId: string, triggerId: string): Promise<boolean> {
  try {
    await client.savepoint(jobId, triggerId);
    return true;
  } catch (error) {
    if (isAirlessError(error, 'NotFound')) return false;
    throw error;
  }
}

async function jarId(p: Prepared): Promise<string> {
  if (p.config.jar_id) return p.config.jar_id;
  const path = requireField('flink.rest', p.config.action, 'jar_path or jar_id', p.config.jar_path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new AirlessError('NotFound', `jar_path '${path}' cannot be read`);
  }
  return p.client.uploadJar(basename(path), bytes);
}

const programArgs = (args: Config['args']): string[] | undefined =>
  typeof args === 'string' ? args.split(/\s+/).filter(Boolean) : args;

async function runPinned(
  p: Prepared,
  jar: string,
  jobId: string,
  savepointPath: string | undefined,
): Promise<void> {
  try {
    await p.client.runJar(jar, {
      entryClass: p.config.entry_class,
      programArgsList: programArgs(p.config.args),
      parallelism: p.config.parallelism,
      jobId,
      savepointPath,
      allowNonRestoredState: p.config.allow_non_restored_state,
    });
  } catch (error) {
    // The pinned JobID is taken: an earlier attempt of this call started it.
    if (!isAirlessError(error, 'Conflict')) throw error;
  }
}

function output(
  p: Prepared,
  jobName: string,
  jobId: string,
  job: JobDetails | undefined,
  extra: Partial<Output> = {},
): Output {
  return {
    jar_id: null,
    job_id: jobId,
    job_name: jobName,
    last_savepoint: null,
    status: job?.state ?? null,
    ...extra,
  };
}

/**
 * A job this task started that Flink does not know: NotFound, as HDInsight and Genie answer. No
 * grace window: /jars/{id}/run answers only once the Dispatcher holds the job (INITIALIZING).
 */
function existing(job: JobDetails | undefined, jobName: string, jobId: string): JobDetails {
  if (job) return job;
  throw new AirlessError('NotFound', `Flink job '${jobName}' (${jobId}) is not known to the JobManager`);
}

function awaitState(job: JobDetails, jobName: string, waitFor: string): void {
  const state = job.state;
  if (state === 'FINISHED' || (waitFor === 'RUNNING' && state === 'RUNNING')) return;
  if (state && TERMINAL.includes(state)) {
    throw new AirlessError('JobFailed', `Flink job '${jobName}' ended ${state}, waited for ${waitFor}`);
  }
  throw new AirlessError('StillRunning', `Flink job '${jobName}' is ${state}, waiting for ${waitFor}`);
}

const ref = (jobName: string, jobId: string, handle: Record<string, string>): JobRef => ({
  operator: 'flink.rest',
  job_name: jobName,
  job_id: jobId,
  handle,
  submitted_at: new Date().toISOString(),
});

async function submit(p: Prepared, call: OperatorCall): Promise<JobRef> {
  const { config, client, jobName } = p;
  const action = config.action;
  const tryKey = [
    call.invocation.run.run_id,
    call.invocation.task.task_id,
    String(call.invocation.try_number),
  ];
  if (STARTS.includes(action)) {
    // NEW pins the id on the name alone, so later tasks can address the job by job_name; a START
    // (like an update) makes a new job of the same name, pinned on this task try.
    const jobId =
      action === 'NEW' ? stableHexId('flink-job', jobName) : stableHexId('flink-job', jobName, ...tryKey);
    if (await jobOrUndefined(client, jobId)) return ref(jobName, jobId, { action, found: 'existing' });
    const jar = await jarId(p);
    const savepoint =
      action === 'START'
        ? requireField('flink.rest', 'START', 'savepoint_path', config.savepoint_path)
        : config.savepoint_path;
    await runPinned(p, jar, jobId, savepoint);
    return ref(jobName, jobId, { action, jar_id: jar });
  }
  const target = targetJobId(p);
  const current = await jobOrUndefined(client, target);
  if (!current) throw new AirlessError('NotFound', `no Flink job ${target} at ${p.baseUrl}`);
  const handle: Record<string, string> = { action, target_job_id: target };
  switch (action) {
    case 'STOP':
    case 'UPDATE':
    case 'SAVEPOINT': {
      const triggerId = stableHexId('savepoint', ...tryKey);
      handle.trigger_id = (await savepointKnown(client, target, triggerId))
        ? triggerId
        : action === 'SAVEPOINT'
          ? await client.triggerSavepoint(target, config.target_directory, triggerId)
          : await client.stopWithSavepoint(target, config.target_directory, triggerId);
      break;
    }
    case 'LAST_STATE_UPDATE': {
      const { checkpoint } = await client.latestCheckpoints(target);
      if (!checkpoint)
        throw new AirlessError('JobFailed', `Flink job ${target} has no completed checkpoint to restore`);
      handle.restore_from = checkpoint;
      if (!TERMINAL.includes(current.state)) await client.cancel(target);
      break;
    }
    default: // STATELESS_UPDATE, CANCEL, DELETE
      if (!TERMINAL.includes(current.state)) await client.cancel(target);
  }
  if (UPDATES.includes(action)) handle.jar_id = await jarId(p);
  const resultJob = UPDATES.includes(action) ? stableHexId('flink-job', jobName, ...tryKey) : target;
  return ref(jobName, resultJob, handle);
}

async function poll(p: Prepared, call: OperatorCall, job: JobRef): Promise<Output> {
  const { config, client } = p;
  const waitFor = call.invocation.task.wait_for ?? 'FINISHED';
  const jobId = job.job_id ?? '';
  const target = job.handle.target_job_id ?? jobId;
  const jarOut = { jar_id: job.handle.jar_id ?? null };
  if (STARTS.includes(config.action)) {
    const details = existing(await jobOrUndefined(client, jobId), job.job_name, jobId);
    if (waitFor !== 'ACCEPTED') awaitState(details, job.job_name, waitFor);
    return output(p, job.job_name, jobId, details, jarOut);
  }
  let savepoint: string | undefined;
  if (job.handle.trigger_id) {
    const operation = await client.savepoint(target, job.handle.trigger_id);
    if (operation.state === 'FAILED')
      throw new AirlessError('JobFailed', `savepoint of Flink job ${target} failed (${operation.cause})`);
    if (operation.state === 'IN_PROGRESS')
      throw new AirlessError('StillRunning', `savepoint of Flink job ${target} in progress`);
    savepoint = operation.location;
  }
  const old = await jobOrUndefined(client, target);
  if (!UPDATES.includes(config.action)) {
    if (config.action !== 'SAVEPOINT' && old && !TERMINAL.includes(old.state)) {
      throw new AirlessError('StillRunning', `Flink job ${target} is ${old.state}`);
    }
    if (config.action === 'DELETE' && config.jar_id) {
      await client.deleteJar(config.jar_id).catch((error: unknown) => {
        if (!isAirlessError(error, 'NotFound')) throw error;
      });
    }
    return output(p, job.job_name, target, old, { last_savepoint: savepoint ?? null });
  }
  // An update: the old job must be down before the new one starts from its state.
  if (old && !TERMINAL.includes(old.state))
    throw new AirlessError('StillRunning', `Flink job ${target} is ${old.state}`);
  let next = await jobOrUndefined(client, jobId);
  if (!next) {
    const restore = config.action === 'STATELESS_UPDATE' ? undefined : (savepoint ?? job.handle.restore_from);
    await runPinned(p, job.handle.jar_id ?? (await jarId(p)), jobId, restore);
    next = await jobOrUndefined(client, jobId);
  }
  next = existing(next, job.job_name, jobId);
  if (waitFor !== 'ACCEPTED') awaitState(next, job.job_name, waitFor);
  return output(p, job.job_name, jobId, next, { ...jarOut, last_savepoint: savepoint ?? null });
}

export const flinkRestOperator: JobOperator = {
  async submit(call) {
    const p = prepare(call);
    return withTransientRetry(() => submit(p, call), call.retry);
  },
  async poll(call, job) {
    const p = prepare(call);
    return withTransientRetry(() => poll(p, call, job), call.retry);
  },
  async cancel(call, job) {
    const p = prepare(call);
    return withTransientRetry(async () => {
      const details = job.job_id ? await jobOrUndefined(p.client, job.job_id) : undefined;
      if (details && !TERMINAL.includes(details.state) && details.state !== 'CANCELLING')
        await p.client.cancel(job.job_id!);
      return output(p, job.job_name, job.job_id ?? '', details);
    }, call.retry);
  },
};
