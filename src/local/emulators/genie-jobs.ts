import type { EmuContext } from './context.ts';
import type { GenieResource, Resolution } from './genie-resolution.ts';
import { resolveJob } from './genie-resolution.ts';

const GENIE_FINISHED = ['SUCCEEDED', 'KILLED', 'FAILED', 'INVALID'] as const;

/** A validated Genie v3 job request. */
export interface GenieJobRequest {
  id?: string | undefined;
  name: string;
  user: string;
  version: string;
  description?: string | undefined;
  tags: string[];
  clusterCriterias: Array<{ tags: string[] }>;
  commandCriteria: string[];
  commandArgs: string;
  timeout: number;
  grouping?: string | undefined;
  groupingInstance?: string | undefined;
  dependencies: string[];
  setupFile?: string | undefined;
}

export interface GenieJob {
  id: string;
  request: GenieJobRequest;
  resolution: Resolution;
  created: number;
  resolvedAt: number;
  initAt: number;
  runningAt: number;
  /** When the job ends by itself and how; undefined: runs until killed or timed out. */
  natural: { at: number; status: 'SUCCEEDED' | 'FAILED' } | undefined;
  killedAt: number | undefined;
}

export interface GenieTimings {
  acceptSeconds: number;
  initSeconds: number;
}

export interface GenieView {
  status: string;
  statusMsg: string;
  started: number | undefined;
  finished: number | undefined;
  exitCode: number | undefined;
  /** The emulated time this view was taken at. */
  at: number;
}

export class GenieError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Genie jobs with their statuses derived from the emulated clock. */
export class GenieJobStore {
  readonly jobs = new Map<string, GenieJob>();

  constructor(
    private readonly ctx: EmuContext,
    private readonly clusters: GenieResource[],
    private readonly commands: GenieResource[],
    private readonly timings: GenieTimings,
  ) {}

  submit(request: GenieJobRequest): GenieJob {
    const id = request.id ?? crypto.randomUUID();
    if (this.jobs.has(id)) throw new GenieError(409, `A job with id ${id} already exists.`);
    const created = this.ctx.clock.now();
    const resolvedAt = created + this.timings.acceptSeconds * 1000;
    const initAt = resolvedAt + this.timings.acceptSeconds * 1000;
    const runningAt = initAt + this.timings.initSeconds * 1000;
    const resolution = resolveJob(
      this.clusters,
      this.commands,
      request.clusterCriterias.map((c) => c.tags),
      request.commandCriteria,
    );
    const runSeconds = this.ctx.runSeconds(request.name);
    const stuck = resolution.ok && this.ctx.stuck('genie', request.name, 'RUN');
    const failAt = resolution.ok ? this.ctx.failAt('genie', request.name, runningAt) : undefined;
    let natural: GenieJob['natural'];
    if (failAt !== undefined) natural = { at: failAt, status: 'FAILED' };
    else if (!stuck && runSeconds !== null)
      natural = { at: runningAt + runSeconds * 1000, status: 'SUCCEEDED' };
    const job: GenieJob = {
      id,
      request: { ...request, id },
      resolution,
      created,
      resolvedAt,
      initAt,
      runningAt,
      natural,
      killedAt: undefined,
    };
    this.jobs.set(id, job);
    this.ctx.stats.submitted(request.name);
    return job;
  }

  get(id: string): GenieJob {
    const job = this.jobs.get(id);
    if (!job) throw new GenieError(404, `No job with id ${id} exists.`);
    return job;
  }

  /** Kills a job that has not finished; killing a finished job changes nothing, as in Genie. */
  kill(job: GenieJob): void {
    if (!(GENIE_FINISHED as readonly string[]).includes(this.view(job).status))
      job.killedAt = this.ctx.clock.now();
  }

  view(job: GenieJob): GenieView {
    const now = this.ctx.clock.now();
    const none = { started: undefined, finished: undefined, exitCode: undefined, at: now };
    if (job.killedAt !== undefined && job.killedAt < job.runningAt) {
      return { ...none, status: 'KILLED', statusMsg: 'Job was killed by user.', finished: job.killedAt };
    }
    if (now < job.resolvedAt)
      return { ...none, status: 'ACCEPTED', statusMsg: 'The job has been accepted by the system.' };
    if (!job.resolution.ok)
      return { ...none, status: 'INVALID', statusMsg: job.resolution.message, finished: job.resolvedAt };
    if (now < job.initAt) return { ...none, status: 'RESOLVED', statusMsg: 'Job resources were resolved.' };
    if (now < job.runningAt) return { ...none, status: 'INIT', statusMsg: 'Job is initializing.' };
    const timeoutAt = job.runningAt + job.request.timeout * 1000;
    const ends: Array<[number, string, string, number]> = [
      [timeoutAt, 'KILLED', 'Job exceeded timeout.', 143],
    ];
    if (job.killedAt !== undefined) ends.push([job.killedAt, 'KILLED', 'Job was killed by user.', 143]);
    if (job.natural) {
      const failed = job.natural.status === 'FAILED';
      ends.push([
        job.natural.at,
        job.natural.status,
        failed ? 'Job failed.' : 'Job finished successfully.',
        failed ? 1 : 0,
      ]);
    }
    const end = ends.filter(([at]) => at <= now).sort((a, b) => a[0] - b[0])[0];
    if (!end) return { ...none, status: 'RUNNING', statusMsg: 'Job is running.', started: job.runningAt };
    return {
      status: end[1],
      statusMsg: end[2],
      started: job.runningAt,
      finished: end[0],
      exitCode: end[3],
      at: now,
    };
  }
}
