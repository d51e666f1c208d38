import type { EmuContext } from './context.ts';
import { hex32 } from './http.ts';

export interface FlinkJar {
  id: string;
  name: string;
  uploaded: number;
}

/** One asynchronous savepoint operation (trigger or stop-with-savepoint). */
export interface SavepointOperation {
  triggerId: string;
  kind: 'savepoint' | 'stop';
  targetDirectory: string;
  /** After the savepoint: 'CANCELED' for cancel-job, 'FINISHED' for stop. */
  then: 'CANCELED' | 'FINISHED' | undefined;
  /** Emulated epoch ms; null when stuck by a fault. */
  completesAt: number | null;
  location?: string;
  failure?: string;
}

export interface FlinkJob {
  jid: string;
  name: string;
  jarId: string;
  entryClass: string;
  programArgs: string[];
  parallelism: number;
  restoredFrom: string | undefined;
  allowNonRestoredState: boolean;
  submittedAt: number;
  runningAt: number;
  endsAt: number | undefined;
  failAt: number | undefined;
  /** Set when the job reached a terminal state. */
  ended: { state: 'FINISHED' | 'FAILED' | 'CANCELED'; at: number } | undefined;
  operations: Map<string, SavepointOperation>;
  savepoints: Array<{ id: number; path: string; at: number }>;
}

export class FlinkError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface FlinkTimings {
  startSeconds: number;
  savepointSeconds: number;
  checkpointIntervalSeconds: number;
  savepointDirectory: string | null;
}

export interface RunRequest {
  entryClass: string;
  programArgs: string[];
  parallelism: number;
  jobId?: string | undefined;
  savepointPath?: string | undefined;
  allowNonRestoredState: boolean;
}

/** The job name a Flink program would get: `--job-name`/`--jobName` if passed, else the class name. */
export function flinkJobName(entryClass: string, args: string[]): string {
  const i = args.findIndex((a) => a === '--job-name' || a === '--jobName');
  const named = i >= 0 ? args[i + 1] : undefined;
  return named ?? entryClass.split('.').at(-1) ?? entryClass;
}

/** One emulated Flink JobManager: jars, jobs, savepoints and checkpoints; states computed lazily. */
export class FlinkJobManager {
  readonly jars = new Map<string, FlinkJar>();
  private readonly jobs = new Map<string, FlinkJob>();
  /** Every savepoint or retained checkpoint path this JobManager wrote, restorable by `savepointPath`. */
  private readonly snapshots = new Set<string>();

  constructor(
    readonly name: string,
    private readonly ctx: EmuContext,
    private readonly timings: FlinkTimings,
  ) {}

  uploadJar(fileName: string): FlinkJar {
    const jar = {
      id: `${crypto.randomUUID()}_${fileName}`,
      name: fileName,
      uploaded: Math.floor(this.ctx.clock.now()),
    };
    this.jars.set(jar.id, jar);
    return jar;
  }

  run(jarId: string, req: RunRequest): FlinkJob {
    if (!this.jars.has(jarId))
      throw new FlinkError(400, `Jar file /tmp/flink-web-upload/${jarId} does not exist`);
    if (req.jobId !== undefined) {
      if (!/^[0-9a-f]{32}$/.test(req.jobId))
        throw new FlinkError(400, `Invalid jobId '${req.jobId}': expected 32 hex characters.`);
      if (this.jobs.has(req.jobId))
        throw new FlinkError(409, `Job has already been submitted. JobID: ${req.jobId}`);
    }
    if (req.savepointPath !== undefined && !this.snapshots.has(req.savepointPath)) {
      throw new FlinkError(
        400,
        `java.io.FileNotFoundException: Cannot find checkpoint or savepoint file/directory '${req.savepointPath}' on file system.`,
      );
    }
    const now = this.ctx.clock.now();
    const name = flinkJobName(req.entryClass, req.programArgs);
    const runningAt = now + this.timings.startSeconds * 1000;
    const runSeconds = this.ctx.runSeconds(name);
    const job: FlinkJob = {
      jid: req.jobId ?? hex32(),
      name,
      jarId,
      entryClass: req.entryClass,
      programArgs: req.programArgs,
      parallelism: req.parallelism,
      restoredFrom: req.savepointPath,
      allowNonRestoredState: req.allowNonRestoredState,
      submittedAt: now,
      runningAt,
      endsAt: runSeconds === null ? undefined : runningAt + runSeconds * 1000,
      failAt: this.ctx.failAt('flink', name, runningAt),
      ended: undefined,
      operations: new Map(),
      savepoints: [],
    };
    this.jobs.set(job.jid, job);
    this.ctx.stats.submitted(name);
    return job;
  }

  job(jid: string): FlinkJob {
    const job = this.jobs.get(jid);
    if (!job)
      throw new FlinkError(404, `org.apache.flink.runtime.rest.NotFoundException: Job ${jid} not found`);
    this.settle(job);
    return job;
  }

  allJobs(): FlinkJob[] {
    return [...this.jobs.values()].map((j) => {
      this.settle(j);
      return j;
    });
  }

  state(job: FlinkJob): string {
    if (job.ended) return job.ended.state;
    return this.ctx.clock.now() >= job.runningAt ? 'RUNNING' : 'INITIALIZING';
  }

  cancel(job: FlinkJob): void {
    if (job.ended) {
      throw new FlinkError(
        409,
        `Job cancellation failed: Cancellation failed as the job ${job.jid} is in state ${job.ended.state}.`,
      );
    }
    this.end(job, 'CANCELED', this.ctx.clock.now());
  }

  /** Starts a savepoint (kind 'savepoint', maybe cancelling) or a stop-with-savepoint. */
  triggerSavepoint(
    job: FlinkJob,
    kind: SavepointOperation['kind'],
    opts: { targetDirectory?: string | undefined; cancelJob?: boolean; triggerId?: string | undefined },
  ): SavepointOperation {
    const existing = opts.triggerId ? job.operations.get(opts.triggerId) : undefined;
    if (existing) return existing;
    const targetDirectory = opts.targetDirectory ?? this.timings.savepointDirectory;
    if (!targetDirectory) {
      throw new FlinkError(
        400,
        'Config key [state.savepoints.dir] is not set. Property [target-directory] must be provided.',
      );
    }
    const op: SavepointOperation = {
      triggerId: opts.triggerId ?? hex32(),
      kind,
      targetDirectory: targetDirectory.replace(/\/$/, ''),
      then: kind === 'stop' ? 'FINISHED' : opts.cancelJob ? 'CANCELED' : undefined,
      completesAt: this.ctx.stuck('flink', job.name, kind === 'stop' ? 'STOP' : 'SAVEPOINT')
        ? null
        : this.ctx.clock.now() + this.timings.savepointSeconds * 1000,
    };
    job.operations.set(op.triggerId, op);
    return op;
  }

  /** Completed checkpoints so far (one per interval of running time). */
  checkpointCount(job: FlinkJob): number {
    const until = job.ended?.at ?? this.ctx.clock.now();
    return Math.max(0, Math.floor((until - job.runningAt) / (this.timings.checkpointIntervalSeconds * 1000)));
  }

  checkpointPath(job: FlinkJob, n: number): string {
    const path = `file:///tmp/flink-checkpoints/${job.jid}/chk-${n}`;
    this.snapshots.add(path);
    return path;
  }

  private end(job: FlinkJob, state: 'FINISHED' | 'FAILED' | 'CANCELED', at: number): void {
    job.ended = { state, at };
    for (const op of job.operations.values()) {
      if (
        op.location === undefined &&
        op.failure === undefined &&
        (op.completesAt === null || op.completesAt > at)
      ) {
        op.failure = `java.util.concurrent.CompletionException: the job ${job.jid} reached state ${state} before the savepoint completed.`;
        op.completesAt = at;
      }
    }
  }

  /** Applies timed events up to now, earliest first. */
  private settle(job: FlinkJob): void {
    const now = this.ctx.clock.now();
    for (;;) {
      const events: Array<[number, () => void]> = [];
      if (!job.ended) {
        if (job.failAt !== undefined)
          events.push([job.failAt, () => this.end(job, 'FAILED', job.failAt ?? now)]);
        if (job.endsAt !== undefined)
          events.push([job.endsAt, () => this.end(job, 'FINISHED', job.endsAt ?? now)]);
      }
      for (const op of job.operations.values()) {
        if (op.completesAt !== null && op.location === undefined && op.failure === undefined) {
          const at = op.completesAt;
          events.push([at, () => this.completeSavepoint(job, op, at)]);
        }
      }
      const due = events.filter(([at]) => at <= now).sort((a, b) => a[0] - b[0])[0];
      if (!due) return;
      due[1]();
    }
  }

  private completeSavepoint(job: FlinkJob, op: SavepointOperation, at: number): void {
    if (at < job.runningAt) {
      op.failure = `org.apache.flink.runtime.checkpoint.CheckpointException: Checkpoint triggering task of job ${job.jid} is not being executed at the moment.`;
      return;
    }
    op.location = `${op.targetDirectory}/savepoint-${job.jid.slice(0, 6)}-${hex32().slice(0, 12)}`;
    this.snapshots.add(op.location);
    job.savepoints.push({ id: this.checkpointCount(job) + job.savepoints.length + 1, path: op.location, at });
    if (op.then) this.end(job, op.then, at);
  }
}
