import { z } from 'zod';
import { AirlessError, isAirlessError } from '../errors.ts';
import type { FlinkAction } from '../dag/operators/flink-hdinsight.ts';
import { parseAnswer, parseRetryAfter, request, requestJson, type HttpTarget } from './http.ts';

/**
 * HDInsight on AKS Flink job API (ARM, Microsoft.HDInsight/clusterpools/clusters): runJob for the
 * eleven actions, the jobs list with $filter, and the long-running operation behind `location`.
 */
export const DEFAULT_HDINSIGHT_API_VERSION = '2024-05-01-preview';

export interface ClusterRef {
  subscription: string;
  resource_group: string;
  pool: string;
  name: string;
}

/** The writable FlinkJobProperties of a runJob request (wire names). */
export interface RunJobProperties {
  jobName: string;
  action: FlinkAction;
  jobJarDirectory?: string;
  jarName?: string;
  entryClass?: string;
  args?: string;
  savePointName?: string;
  flinkConfiguration?: Record<string, string>;
}

const FlinkJobPropertiesSchema = z.looseObject({
  jobType: z.string().optional(),
  jobName: z.string(),
  action: z.string().nullish(),
  runId: z.string().nullish(),
  jobId: z.string().nullish(),
  status: z.string().nullish(),
  jobOutput: z.string().nullish(),
  actionResult: z.string().nullish(),
  lastSavePoint: z.string().nullish(),
  flinkConfiguration: z.record(z.string(), z.string()).nullish(),
});
const ClusterJobSchema = z.looseObject({ id: z.string().optional(), properties: FlinkJobPropertiesSchema });
const ClusterJobListSchema = z.object({ value: z.array(ClusterJobSchema), nextLink: z.string().nullish() });

export type ClusterJob = z.infer<typeof ClusterJobSchema>;

export interface RunJobAccepted {
  /** The job as the 200 answer echoed it; absent on 202. */
  job: ClusterJob | undefined;
  /** The operation to poll (202 only). */
  location: string | undefined;
  retryAfterSeconds: number | undefined;
}

export type OperationState =
  { done: false; retryAfterSeconds: number | undefined } | { done: true; job: ClusterJob | undefined };

/** ARM path segments: refuse anything that could walk out of the cluster path. */
const SEGMENT = /^[A-Za-z0-9_().-]{1,90}$/;

export class HdInsightJobsClient {
  constructor(
    private readonly target: HttpTarget,
    private readonly apiVersion: string = DEFAULT_HDINSIGHT_API_VERSION,
  ) {}

  clusterPath(cluster: ClusterRef): string {
    for (const [field, value] of Object.entries(cluster)) {
      if (!SEGMENT.test(value) || /^\.+$/.test(value)) {
        throw new AirlessError('BadInput', `cluster.${field} '${value}' is not a valid ARM resource name`);
      }
    }
    return (
      `/subscriptions/${cluster.subscription}/resourceGroups/${cluster.resource_group}` +
      `/providers/Microsoft.HDInsight/clusterpools/${cluster.pool}/clusters/${cluster.name}`
    );
  }

  async runJob(cluster: ClusterRef, properties: RunJobProperties): Promise<RunJobAccepted> {
    const answer = await request(this.target, {
      method: 'POST',
      path: `${this.clusterPath(cluster)}/runJob`,
      query: { 'api-version': this.apiVersion },
      json: { properties: { jobType: 'FlinkJob', ...properties } },
    });
    const retryAfterSeconds = parseRetryAfter(answer.headers.get('retry-after'));
    if (answer.status === 202) {
      const location = answer.headers.get('location') ?? undefined;
      return { job: undefined, location, retryAfterSeconds };
    }
    const job =
      answer.body === undefined
        ? undefined
        : parseAnswer(this.target, 'runJob', ClusterJobSchema, answer.body);
    return { job, location: undefined, retryAfterSeconds };
  }

  /**
   * One look at a runJob operation. 202 = still running; 200/204 = done. A failed operation answers
   * with an ARM error body: 4xx means the action itself failed (JobFailed); 5xx/429 stay transient.
   */
  async operation(location: string): Promise<OperationState> {
    try {
      const answer = await request(this.target, { method: 'GET', path: location });
      if (answer.status === 202) {
        return { done: false, retryAfterSeconds: parseRetryAfter(answer.headers.get('retry-after')) };
      }
      const parsed = ClusterJobSchema.safeParse(answer.body);
      return { done: true, job: parsed.success ? parsed.data : undefined };
    } catch (error) {
      if (isAirlessError(error, 'BadInput') || isAirlessError(error, 'Conflict')) {
        throw new AirlessError('JobFailed', `the runJob operation failed: ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  /** All jobs of the cluster (or those matching an OData $filter), following nextLink pages. */
  async listJobs(cluster: ClusterRef, filter?: string): Promise<ClusterJob[]> {
    const jobs: ClusterJob[] = [];
    let page = await requestJson(
      this.target,
      {
        method: 'GET',
        path: `${this.clusterPath(cluster)}/jobs`,
        query: { 'api-version': this.apiVersion, ...(filter ? { $filter: filter } : {}) },
      },
      ClusterJobListSchema,
    );
    jobs.push(...page.value);
    for (let pages = 1; page.nextLink; pages++) {
      if (pages >= 100) throw new AirlessError('ServiceUnavailable', 'ARM jobs list exceeded 100 pages');
      page = await requestJson(this.target, { method: 'GET', path: page.nextLink }, ClusterJobListSchema);
      jobs.push(...page.value);
    }
    return jobs;
  }

  /** The job record named `jobName`, or undefined when the cluster has none. */
  async findJob(cluster: ClusterRef, jobName: string): Promise<ClusterJob | undefined> {
    const quoted = jobName.replace(/'/g, "''");
    const jobs = await this.listJobs(cluster, `jobName eq '${quoted}'`);
    return jobs.find((job) => job.properties.jobName === jobName);
  }
}
