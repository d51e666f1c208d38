import type { z } from 'zod';
import { configSchema } from '../../dag/operators/definition.ts';
import { genie } from '../../dag/operators/genie.ts';
import { AirlessError, isAirlessError } from '../../errors.ts';
import { GENIE_FINAL_STATUSES, GenieClient, type GenieJob } from '../../clients/genie.ts';
import { withTransientRetry } from '../../clients/retry.ts';
import type { JobRef } from '../contract.ts';
import { jobNameFor } from '../job-name.ts';
import {
  DATA_PLANE_SCOPE,
  parseConfig,
  serviceUrl,
  type JobOperator,
  type OperatorCall,
  type Output,
} from './job-operator.ts';

const ConfigSchema = configSchema(genie);
type Config = z.infer<typeof ConfigSchema>;

function prepare(call: OperatorCall): { config: Config; client: GenieClient; jobName: string } {
  const config = parseConfig('genie', ConfigSchema, call.config);
  const client = new GenieClient(
    call.target('Genie', serviceUrl(call, call.runtime.genieEndpoint, config.endpoint), DATA_PLANE_SCOPE),
  );
  return { config, client, jobName: jobNameFor(call.invocation, config.job_name, true) };
}

/** `cluster_tags` is one criterion or a list of criteria tried in order. */
const clusterCriterias = (tags: Config['cluster_tags']): Array<{ tags: string[] }> =>
  (tags.every((t) => typeof t === 'string') ? [tags as string[]] : (tags as string[][])).map((t) => ({
    tags: t,
  }));

const output = (jobName: string, job: GenieJob | undefined): Output => ({
  cluster_name: job?.clusterName ?? null,
  command_name: job?.commandName ?? null,
  job_id: job?.id ?? jobName,
  job_name: jobName,
  status: job?.status ?? null,
  status_msg: job?.statusMsg ?? null,
});

const ref = (jobName: string, handle: Record<string, string>): JobRef => ({
  operator: 'genie',
  job_name: jobName,
  job_id: jobName,
  handle,
  submitted_at: new Date().toISOString(),
});

export const genieOperator: JobOperator = {
  async submit(call) {
    const { config, client, jobName } = prepare(call);
    // Genie's `user`: the genie_basic connection's username, else a fixed service user.
    const user = (await call.connectionField('username')) ?? 'airless';
    const args = config.command_arguments;
    return withTransientRetry(async () => {
      try {
        await client.status(jobName);
        return ref(jobName, { found: 'existing' });
      } catch (error) {
        if (!isAirlessError(error, 'NotFound')) throw error;
      }
      try {
        await client.submit({
          // The job id is the job name: a repeated submit gets 409 instead of a second job.
          id: jobName,
          name: jobName,
          user,
          version: '1.0',
          clusterCriterias: clusterCriterias(config.cluster_tags),
          commandCriteria: config.command_tags,
          ...(typeof args === 'string' ? { commandArgs: args } : args ? { commandArguments: args } : {}),
          ...(config.dependencies ? { dependencies: config.dependencies } : {}),
          ...(config.setup_file ? { setupFile: config.setup_file } : {}),
          ...(config.timeout ? { timeout: config.timeout } : {}),
          grouping: call.invocation.run.dag_id,
          groupingInstance: call.invocation.run.run_id,
        });
      } catch (error) {
        if (!isAirlessError(error, 'Conflict')) throw error;
      }
      return ref(jobName, {});
    }, call.retry);
  },

  async poll(call, job) {
    const { client } = prepare(call);
    const waitFor = call.invocation.task.wait_for ?? 'FINISHED';
    return withTransientRetry(async () => {
      const found = await client.job(job.job_id ?? job.job_name);
      if (
        found.status === 'SUCCEEDED' ||
        waitFor === 'ACCEPTED' ||
        (waitFor === 'RUNNING' && found.status === 'RUNNING')
      ) {
        return output(job.job_name, found);
      }
      if (GENIE_FINAL_STATUSES.includes(found.status)) {
        throw new AirlessError(
          'JobFailed',
          `Genie job '${job.job_name}' ended ${found.status}: ${found.statusMsg ?? ''}`,
        );
      }
      throw new AirlessError(
        'StillRunning',
        `Genie job '${job.job_name}' is ${found.status}, waiting for ${waitFor}`,
      );
    }, call.retry);
  },

  async cancel(call, job) {
    const { client } = prepare(call);
    return withTransientRetry(async () => {
      const found = await client.job(job.job_id ?? job.job_name);
      if (!GENIE_FINAL_STATUSES.includes(found.status)) await client.kill(found.id);
      return output(job.job_name, found);
    }, call.retry);
  },
};
