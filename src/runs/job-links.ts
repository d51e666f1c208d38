import type { JobRef } from '../handlers/contract.ts';

/** Where a task's jobs live, as far as the API can tell without rendering a template. */
export interface JobPlace {
  /** The Flink REST or Genie service: the deployment's override, else the connection's host, else the task's endpoint. */
  base_url: string | null;
  /** flink.hdinsight: the cluster, when its fields are literals. */
  cluster: { subscription: string; resource_group: string; pool: string; name: string } | null;
}

/** An ARM path segment that walks nowhere (no `/`, not `..`). */
const SEGMENT = /^[A-Za-z0-9_()-][A-Za-z0-9_().-]{0,89}$/;

const literal = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' && !v.includes('{{') ? v : null;

const httpBase = (v: string | null): string | null => {
  if (v === null) return null;
  try {
    const url = new URL(v);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href.replace(/\/+$/, '') : null;
  } catch {
    return null;
  }
};

/**
 * The place of a task's jobs from its spec (config with templates unrendered, the connection's
 * fields): the same precedence as the handlers' serviceUrl. A templated field gives no place.
 */
export function jobPlace(
  operator: string,
  config: Record<string, unknown>,
  connectionHost: unknown,
  overrides: { flink?: string | undefined; genie?: string | undefined } = {},
): JobPlace {
  const override =
    operator === 'flink.rest' ? overrides.flink : operator === 'genie' ? overrides.genie : undefined;
  const base = httpBase(override ?? literal(connectionHost) ?? literal(config.endpoint));
  const c = config.cluster as Record<string, unknown> | undefined;
  const fields = c === undefined ? [] : [c.subscription, c.resource_group, c.pool, c.name].map(literal);
  const cluster =
    fields.length === 4 && fields.every((f) => f !== null && SEGMENT.test(f))
      ? { subscription: fields[0]!, resource_group: fields[1]!, pool: fields[2]!, name: fields[3]! }
      : null;
  return { base_url: base, cluster };
}

/**
 * A link to a job in its own UI: the Flink dashboard's job page (flink.rest), Genie's job page
 * (genie), the ARM resource id of the job on the cluster that ran it (flink.hdinsight; the cluster's
 * own when the job name is not a plain segment). Null when the job has no id yet or its place is not known.
 */
export function jobUrl(
  job: Pick<JobRef, 'operator' | 'job_id' | 'job_name'>,
  place: JobPlace,
): string | null {
  const id = job.job_id;
  if (job.operator === 'flink.hdinsight') {
    const c = place.cluster;
    if (c === null) return null;
    const clusterId =
      `/subscriptions/${c.subscription}/resourceGroups/${c.resource_group}` +
      `/providers/Microsoft.HDInsight/clusterpools/${c.pool}/clusters/${c.name}`;
    return SEGMENT.test(job.job_name) ? `${clusterId}/jobs/${job.job_name}` : clusterId;
  }
  if (id === null || place.base_url === null) return null;
  const encoded = encodeURIComponent(id);
  if (job.operator === 'flink.rest') return `${place.base_url}/#/job/running/${encoded}/overview`;
  return `${place.base_url}/jobs?id=${encoded}`;
}
