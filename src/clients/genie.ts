import { z } from 'zod';
import { AirlessError } from '../errors.ts';
import { request, requestJson, type HttpTarget } from './http.ts';

/** Netflix Genie v3 jobs API. */

export const GENIE_STATUSES = [
  'RESERVED',
  'RESOLVED',
  'ACCEPTED',
  'CLAIMED',
  'INIT',
  'RUNNING',
  'SUCCEEDED',
  'KILLED',
  'FAILED',
  'INVALID',
] as const;
export type GenieStatus = (typeof GENIE_STATUSES)[number];
export const GENIE_FINAL_STATUSES: readonly GenieStatus[] = ['SUCCEEDED', 'KILLED', 'FAILED', 'INVALID'];

export interface GenieJobRequest {
  /** Chosen by the caller so that a repeated submit answers 409 instead of starting a second job. */
  id: string;
  name: string;
  user: string;
  version: string;
  /** Tried in order: the first criterion that matches a cluster wins. */
  clusterCriterias: Array<{ tags: string[] }>;
  commandCriteria: string[];
  commandArguments?: string[];
  dependencies?: string[];
  setupFile?: string;
  timeout?: number;
  grouping?: string;
  groupingInstance?: string;
}

const StatusSchema = z.object({ status: z.enum(GENIE_STATUSES) });
const JobSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  status: z.enum(GENIE_STATUSES),
  statusMsg: z.string().nullish(),
  clusterName: z.string().nullish(),
  commandName: z.string().nullish(),
});
export type GenieJob = z.infer<typeof JobSchema>;

const jobPath = (id: string): string => `/api/v3/jobs/${encodeURIComponent(id)}`;

export class GenieClient {
  constructor(private readonly target: HttpTarget) {}

  /** Submits a job; Genie answers 202 with the job's URL in Location. Returns the job id. */
  async submit(job: GenieJobRequest): Promise<string> {
    const answer = await request(this.target, { method: 'POST', path: '/api/v3/jobs', json: job });
    const location = answer.headers.get('location');
    const id = location?.split('/').filter(Boolean).pop();
    if (!id) throw new AirlessError('ServiceUnavailable', 'Genie accepted the job without a Location header');
    return decodeURIComponent(id);
  }

  async status(id: string): Promise<GenieStatus> {
    return (await requestJson(this.target, { method: 'GET', path: `${jobPath(id)}/status` }, StatusSchema))
      .status;
  }

  async job(id: string): Promise<GenieJob> {
    return requestJson(this.target, { method: 'GET', path: jobPath(id) }, JobSchema);
  }

  /** Asks Genie to kill the job (202); it ends KILLED. */
  async kill(id: string): Promise<void> {
    await request(this.target, { method: 'DELETE', path: jobPath(id) });
  }

  /** A file of the job's output directory (stdout, stderr, ...) as text, or a directory listing as JSON. */
  async output(id: string, path = ''): Promise<unknown> {
    const safe = path.split('/').filter((part) => part !== '' && part !== '.' && part !== '..');
    const suffix = safe.map(encodeURIComponent).join('/');
    return (await request(this.target, { method: 'GET', path: `${jobPath(id)}/output/${suffix}` })).body;
  }
}
