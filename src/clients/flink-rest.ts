import { z } from 'zod';
import { AirlessError } from '../errors.ts';
import { request, requestJson, type HttpTarget } from './http.ts';

/**
 * Flink JobManager REST API (v1). Key casing differs per endpoint on purpose: the savepoint trigger
 * takes kebab-case (`target-directory`, `cancel-job`), stop-with-savepoint takes camelCase
 * (`targetDirectory`), and answers carry `request-id`.
 */

export const FLINK_JOB_STATES = [
  'INITIALIZING',
  'CREATED',
  'RUNNING',
  'FAILING',
  'FAILED',
  'CANCELLING',
  'CANCELED',
  'FINISHED',
  'RESTARTING',
  'SUSPENDED',
  'RECONCILING',
] as const;
export type FlinkJobState = (typeof FLINK_JOB_STATES)[number];

const UploadSchema = z.object({ filename: z.string().min(1), status: z.string() });
const RunSchema = z.object({ jobid: z.string().min(1) });
const JobDetailsSchema = z.looseObject({
  jid: z.string(),
  name: z.string().optional(),
  state: z.enum(FLINK_JOB_STATES),
});
const TriggerSchema = z.object({ 'request-id': z.string().min(1) });
const AsyncOperationSchema = z.object({
  status: z.object({ id: z.enum(['IN_PROGRESS', 'COMPLETED']) }),
  operation: z
    .looseObject({ location: z.string().optional(), 'failure-cause': z.looseObject({}).optional() })
    .nullish(),
});
const CheckpointRef = z.looseObject({ external_path: z.string().nullish() }).nullish();
const CheckpointsSchema = z.looseObject({
  latest: z
    .looseObject({ completed: CheckpointRef, savepoint: CheckpointRef, restored: CheckpointRef.optional() })
    .nullish(),
});

export type JobDetails = z.infer<typeof JobDetailsSchema>;
export type SavepointOperation =
  { state: 'IN_PROGRESS' } | { state: 'COMPLETED'; location: string } | { state: 'FAILED'; cause: string };

export interface RunJarRequest {
  entryClass?: string;
  programArgsList?: string[];
  parallelism?: number;
  /** Pinning the JobID makes a repeated run find the job it already started. */
  jobId?: string;
  savepointPath?: string;
  allowNonRestoredState?: boolean;
}

const jobPath = (jobId: string): string => {
  if (!/^[0-9a-f]{32}$/.test(jobId)) throw new AirlessError('BadInput', `'${jobId}' is not a Flink job id`);
  return `/jobs/${jobId}`;
};

export class FlinkRestClient {
  constructor(private readonly target: HttpTarget) {}

  /** Uploads a jar; the jar id Flink uses afterwards is the basename of the stored file. */
  async uploadJar(fileName: string, bytes: Uint8Array): Promise<string> {
    const form = new FormData();
    form.append('jarfile', new Blob([bytes], { type: 'application/x-java-archive' }), fileName);
    const answer = await requestJson(
      this.target,
      { method: 'POST', path: '/jars/upload', form },
      UploadSchema,
    );
    const jarId = answer.filename.split('/').pop() ?? '';
    if (answer.status !== 'success' || jarId === '') {
      throw new AirlessError(
        'ServiceUnavailable',
        `Flink REST jar upload answered status '${answer.status}'`,
      );
    }
    return jarId;
  }

  async deleteJar(jarId: string): Promise<void> {
    await request(this.target, { method: 'DELETE', path: `/jars/${encodeURIComponent(jarId)}` });
  }

  async runJar(jarId: string, body: RunJarRequest): Promise<string> {
    const answer = await requestJson(
      this.target,
      { method: 'POST', path: `/jars/${encodeURIComponent(jarId)}/run`, json: body },
      RunSchema,
    );
    return answer.jobid;
  }

  async job(jobId: string): Promise<JobDetails> {
    return requestJson(this.target, { method: 'GET', path: jobPath(jobId) }, JobDetailsSchema);
  }

  /** Triggers a savepoint; returns the trigger (request) id. */
  async triggerSavepoint(
    jobId: string,
    targetDirectory: string | undefined,
    triggerId?: string,
  ): Promise<string> {
    const json = {
      'target-directory': targetDirectory,
      'cancel-job': false,
      ...(triggerId ? { triggerId } : {}),
    };
    const answer = await requestJson(
      this.target,
      { method: 'POST', path: `${jobPath(jobId)}/savepoints`, json },
      TriggerSchema,
    );
    return answer['request-id'];
  }

  /** Stops the job with a savepoint; its progress is read through `savepoint()` with the returned id. */
  async stopWithSavepoint(
    jobId: string,
    targetDirectory: string | undefined,
    triggerId?: string,
  ): Promise<string> {
    const json = { targetDirectory, drain: false, ...(triggerId ? { triggerId } : {}) };
    const answer = await requestJson(
      this.target,
      { method: 'POST', path: `${jobPath(jobId)}/stop`, json },
      TriggerSchema,
    );
    return answer['request-id'];
  }

  async savepoint(jobId: string, triggerId: string): Promise<SavepointOperation> {
    const answer = await requestJson(
      this.target,
      { method: 'GET', path: `${jobPath(jobId)}/savepoints/${encodeURIComponent(triggerId)}` },
      AsyncOperationSchema,
    );
    if (answer.status.id === 'IN_PROGRESS') return { state: 'IN_PROGRESS' };
    const failure = answer.operation?.['failure-cause'];
    if (failure || !answer.operation?.location) {
      const cause = failure
        ? String((failure as Record<string, unknown>)['class'] ?? 'failure')
        : 'no location';
      return { state: 'FAILED', cause };
    }
    return { state: 'COMPLETED', location: answer.operation.location };
  }

  async cancel(jobId: string): Promise<void> {
    await request(this.target, { method: 'PATCH', path: jobPath(jobId), query: { mode: 'cancel' } });
  }

  /** Paths of the latest completed checkpoint and savepoint, when Flink reports them. */
  async latestCheckpoints(
    jobId: string,
  ): Promise<{ checkpoint: string | undefined; savepoint: string | undefined }> {
    const answer = await requestJson(
      this.target,
      { method: 'GET', path: `${jobPath(jobId)}/checkpoints` },
      CheckpointsSchema,
    );
    return {
      checkpoint: answer.latest?.completed?.external_path ?? undefined,
      savepoint: answer.latest?.savepoint?.external_path ?? undefined,
    };
  }
}
