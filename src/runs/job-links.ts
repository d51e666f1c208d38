import type { JobRef, TaskSpec } from '../handlers/contract.ts';

/**
 * A link to a job's own UI, from the task's configuration and connection as the handler saw them:
 * the Flink dashboard's job page (flink.rest), the Genie job resource (genie), the job's ARM
 * resource id (flink.hdinsight). Only a base URL written in the DAG (the connection's host, or the
 * task's endpoint when it is a literal) is used; a templated one gives no link, as the rendered
 * value is not kept. The link is shown, never followed with credentials.
 */
const HTTP_BASE = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;
const ARM_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.()-]{0,89}$/;

function baseUrl(task: TaskSpec): string | null {
  const host = task.connection?.fields.host;
  const candidate =
    typeof host === 'string'
      ? host
      : task.connection?.fields.host === undefined
        ? task.config.endpoint
        : null;
  if (typeof candidate !== 'string' || candidate.includes('{{') || !HTTP_BASE.test(candidate)) return null;
  return candidate.replace(/\/+$/, '');
}

function armJobId(task: TaskSpec, job: JobRef): string | null {
  const cluster = task.config.cluster as Record<string, unknown> | undefined;
  const parts = [cluster?.subscription, cluster?.resource_group, cluster?.pool, cluster?.name, job.job_name];
  if (!parts.every((p): p is string => typeof p === 'string' && ARM_SEGMENT.test(p))) return null;
  const [subscription, group, pool, name, jobName] = parts;
  return (
    `/subscriptions/${subscription}/resourceGroups/${group}/providers/Microsoft.HDInsight` +
    `/clusterpools/${pool}/clusters/${name}/jobs/${jobName}`
  );
}

export function jobUrl(task: TaskSpec, job: JobRef): string | null {
  switch (job.operator) {
    case 'flink.rest': {
      const base = baseUrl(task);
      return base && job.job_id ? `${base}/#/job/running/${encodeURIComponent(job.job_id)}/overview` : null;
    }
    case 'genie': {
      const base = baseUrl(task);
      return base && job.job_id ? `${base}/api/v3/jobs/${encodeURIComponent(job.job_id)}` : null;
    }
    case 'flink.hdinsight':
      return armJobId(task, job);
  }
}
