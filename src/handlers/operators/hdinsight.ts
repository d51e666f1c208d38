import type { z } from 'zod';
import { configSchema } from '../../dag/operators/definition.ts';
import { flinkHdinsight, type FlinkAction } from '../../dag/operators/flink-hdinsight.ts';
import { AirlessError, isAirlessError } from '../../errors.ts';
import { HdInsightJobsClient, type ClusterJob, type ClusterRef } from '../../clients/hdinsight-jobs.ts';
import { withTransientRetry } from '../../clients/retry.ts';
import type { JobRef } from '../contract.ts';
import { jobNameFor } from '../job-name.ts';
import {
  parseConfig,
  requireField,
  type JobOperator,
  type OperatorCall,
  type Output,
} from './job-operator.ts';

const ConfigSchema = configSchema(flinkHdinsight);
type Config = z.infer<typeof ConfigSchema>;

/** Actions after which the job runs again, so wait_for RUNNING/FINISHED is about the job's status. */
const STARTS_JOB: readonly FlinkAction[] = [
  'NEW',
  'START',
  'UPDATE',
  'STATELESS_UPDATE',
  'LAST_STATE_UPDATE',
  'RE_LAUNCH',
];
const FINISHED_STATUSES = ['FINISHED', 'SUCCEEDED'];
const RUNNING_STATUSES = ['RUNNING', ...FINISHED_STATUSES];
const ENDED_BADLY = ['FAILED', 'CANCELED', 'CANCELLED', 'KILLED', 'STOPPED', 'SUSPENDED'];
const JOB_OUTPUT_LIMIT = 4096;

function prepare(call: OperatorCall): { config: Config; client: HdInsightJobsClient; jobName: string } {
  const config = parseConfig('flink.hdinsight', ConfigSchema, call.config);
  const client = new HdInsightJobsClient(
    call.target('ARM', call.runtime.armEndpoint, call.runtime.armScope),
    config.api_version,
  );
  client.clusterPath(config.cluster); // refuses unsafe names before anything is sent
  return { config, client, jobName: jobNameFor(call.invocation, config.job_name, config.action === 'NEW') };
}

function runProperties(config: Config, jobName: string) {
  const base = { jobName, action: config.action };
  switch (config.action) {
    case 'NEW':
      return {
        ...base,
        jobJarDirectory: requireField('flink.hdinsight', 'NEW', 'jar_directory', config.jar_directory),
        jarName: requireField('flink.hdinsight', 'NEW', 'jar_name', config.jar_name),
        entryClass: requireField('flink.hdinsight', 'NEW', 'entry_class', config.entry_class),
        args: config.args,
        flinkConfiguration: config.flink_configuration,
      };
    case 'UPDATE':
    case 'STATELESS_UPDATE':
    case 'START':
      return {
        ...base,
        jobJarDirectory: config.jar_directory,
        jarName: config.jar_name,
        entryClass: config.entry_class,
        args: config.args,
        savePointName: config.savepoint_name,
        flinkConfiguration: config.flink_configuration,
      };
    default:
      return base;
  }
}

function output(config: Config, jobName: string, job: ClusterJob | undefined, status?: string): Output {
  const p = job?.properties;
  const jobOutput = p?.jobOutput ?? null;
  return {
    action: config.action,
    action_result: p?.actionResult ?? null,
    job_id: p?.jobId ?? null,
    job_name: jobName,
    job_output: jobOutput === null ? null : jobOutput.slice(0, JOB_OUTPUT_LIMIT),
    last_savepoint: p?.lastSavePoint ?? null,
    run_id: p?.runId ?? null,
    savepoints:
      config.action === 'LIST_SAVEPOINT'
        ? (jobOutput?.match(/[a-z][a-z0-9+.-]*:\/\/[^\s,;"'\]]+/g) ?? [])
        : [],
    status: status ?? p?.status ?? null,
  };
}

const ref = (jobName: string, job: ClusterJob | undefined, handle: Record<string, string>): JobRef => ({
  operator: 'flink.hdinsight',
  job_name: jobName,
  job_id: job?.properties.jobId ?? null,
  handle,
  submitted_at: new Date().toISOString(),
});

export const hdinsightOperator: JobOperator = {
  async submit(call) {
    const { config, client, jobName } = prepare(call);
    const properties = runProperties(config, jobName);
    // The job record as it was when this call last sent the action: if a retry finds it changed,
    // the service got that request (only the answer was lost), so the action is not sent twice.
    let sentOver: string | undefined;
    return withTransientRetry(async () => {
      const existing = await client.findJob(config.cluster as ClusterRef, jobName);
      if (config.action === 'NEW') {
        if (existing) return ref(jobName, existing, { action: 'NEW', found: 'existing' });
      } else {
        if (!existing)
          throw new AirlessError('NotFound', `no job named '${jobName}' on cluster '${config.cluster.name}'`);
        const sameAction = existing.properties.action?.toUpperCase() === config.action;
        const changed = sentOver !== undefined && JSON.stringify(existing.properties) !== sentOver;
        // Our own earlier attempt, or the same action already under way (another invocation of this try).
        if (sameAction && (changed || existing.properties.actionResult === 'IN_PROGRESS')) {
          return ref(jobName, existing, { action: config.action, found: 'existing' });
        }
      }
      sentOver = JSON.stringify(existing?.properties ?? null);
      const accepted = await client.runJob(config.cluster as ClusterRef, properties);
      return ref(jobName, accepted.job ?? existing, {
        action: config.action,
        ...(accepted.location ? { location: accepted.location } : {}),
      });
    }, call.retry);
  },

  async poll(call, job) {
    const { config, client } = prepare(call);
    const jobName = job.job_name;
    return withTransientRetry(async () => {
      const location = job.handle.location;
      if (location && call.invocation.task.wait_for !== 'ACCEPTED') {
        // An operation ARM no longer knows (expired, or another region answered) is no verdict:
        // the jobs list below tells the action's outcome all the same.
        const operation = await client.operation(location).catch((error: unknown) => {
          if (isAirlessError(error, 'NotFound')) return { done: true as const, job: undefined };
          throw error;
        });
        if (!operation.done) {
          throw new AirlessError('StillRunning', `${config.action} on '${jobName}' still in progress`, {
            retryAfterSeconds: operation.retryAfterSeconds,
          });
        }
      }
      const found = await client.findJob(config.cluster as ClusterRef, jobName);
      if (!found) {
        if (config.action === 'DELETE') return output(config, jobName, undefined, 'DELETED');
        throw new AirlessError(
          'NotFound',
          `job '${jobName}' disappeared from cluster '${config.cluster.name}'`,
        );
      }
      const result = found.properties.actionResult?.toUpperCase();
      const status = found.properties.status?.toUpperCase() ?? '';
      if (result === 'FAILED') {
        throw new AirlessError(
          'JobFailed',
          `${config.action} on '${jobName}' failed (status ${status || 'unknown'})`,
        );
      }
      const waitFor = call.invocation.task.wait_for ?? 'FINISHED';
      if (waitFor === 'ACCEPTED') return output(config, jobName, found);
      if (result !== 'SUCCESS') {
        throw new AirlessError('StillRunning', `${config.action} on '${jobName}' is ${result ?? 'pending'}`);
      }
      if (!STARTS_JOB.includes(config.action)) return output(config, jobName, found);
      const reached = (waitFor === 'RUNNING' ? RUNNING_STATUSES : FINISHED_STATUSES).includes(status);
      if (reached) return output(config, jobName, found);
      if (ENDED_BADLY.includes(status)) {
        throw new AirlessError('JobFailed', `job '${jobName}' ended ${status}, waited for ${waitFor}`);
      }
      throw new AirlessError(
        'StillRunning',
        `job '${jobName}' is ${status || 'starting'}, waiting for ${waitFor}`,
      );
    }, call.retry);
  },

  async cancel(call, job) {
    const { config, client } = prepare(call);
    return withTransientRetry(async () => {
      const found = await client.findJob(config.cluster as ClusterRef, job.job_name);
      const status = found?.properties.status?.toUpperCase() ?? 'NOT_FOUND';
      const cancellable = found && !ENDED_BADLY.includes(status) && !FINISHED_STATUSES.includes(status);
      if (cancellable && found.properties.action?.toUpperCase() !== 'CANCEL') {
        await client.runJob(config.cluster as ClusterRef, { jobName: job.job_name, action: 'CANCEL' });
      }
      return { ...output(config, job.job_name, found, status), action: 'CANCEL' };
    }, call.retry);
  },
};
