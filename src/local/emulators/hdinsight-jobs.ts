import type { FlinkAction } from '../../dag/operators/flink-hdinsight.ts';
import type { EmuContext } from './context.ts';
import { hex32 } from './http.ts';

export type HdiAction = FlinkAction;

/** Statuses a job must be in for an action to be accepted (checked when the request arrives). */
const ALLOWED_FROM: Record<Exclude<HdiAction, 'NEW'>, readonly string[] | 'any'> = {
  UPDATE: ['RUNNING'],
  STATELESS_UPDATE: ['RUNNING', 'STOPPED'],
  LAST_STATE_UPDATE: ['RUNNING'],
  STOP: ['RUNNING'],
  START: ['STOPPED', 'CANCELED', 'FINISHED'],
  SAVEPOINT: ['RUNNING'],
  LIST_SAVEPOINT: 'any',
  CANCEL: ['RUNNING', 'INITIALIZING'],
  DELETE: ['STOPPED', 'CANCELED', 'FINISHED', 'FAILED'],
  RE_LAUNCH: ['FAILED', 'CANCELED', 'FINISHED', 'STOPPED'],
};

/** The writable `FlinkJobProperties` a runJob request carries. */
export interface JobRequest {
  action: HdiAction;
  jobName: string;
  jobJarDirectory?: string | undefined;
  jarName?: string | undefined;
  entryClass?: string | undefined;
  args?: string | undefined;
  savePointName?: string | undefined;
  flinkConfiguration?: Record<string, string> | undefined;
  runId?: string | undefined;
}

interface PendingAction {
  operationId: string;
  action: HdiAction;
  request: JobRequest;
  /** Emulated epoch ms; null for an action stuck by a fault. */
  completesAt: number | null;
}

/** One Flink job on one emulated HDInsight on AKS cluster; `status` is computed lazily. */
export interface HdiJob {
  clusterPath: string;
  jobName: string;
  runId: string;
  jobId: string;
  status: string;
  action: HdiAction;
  actionResult: 'IN_PROGRESS' | 'SUCCESS' | 'FAILED';
  jobOutput: string;
  lastSavePoint: string;
  jobJarDirectory: string;
  jarName: string;
  entryClass: string;
  args: string;
  flinkConfiguration: Record<string, string>;
  /** Every savepoint taken, oldest first. */
  savepoints: string[];
  /** What the current run restored from (a savepoint or checkpoint path). */
  restoredFrom: string | undefined;
  runningSince: number | undefined;
  endsAt: number | undefined;
  failAt: number | undefined;
  pending: PendingAction | undefined;
  deleted: boolean;
}

export interface Operation {
  id: string;
  jobKey: string;
  action: HdiAction;
  /** The job as it was when the action completed; undefined while in progress. */
  result?: Record<string, unknown> | 'deleted';
}

export class ActionRejected extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const START_ACTIONS = new Set<HdiAction>([
  'NEW',
  'START',
  'UPDATE',
  'STATELESS_UPDATE',
  'LAST_STATE_UPDATE',
  'RE_LAUNCH',
]);

/** Durations of the emulated HDInsight actions, in emulated seconds. */
export interface HdiTimings {
  actionSeconds: number;
  checkpointIntervalSeconds: number;
}

/** The HDInsight on AKS Flink job state machine, shared by every emulated cluster. */
export class HdiJobStore {
  private readonly jobs = new Map<string, HdiJob>();
  private readonly operations = new Map<string, Operation>();

  constructor(
    private readonly ctx: EmuContext,
    private readonly timings: HdiTimings,
  ) {}

  static key(clusterPath: string, jobName: string): string {
    return `${clusterPath.toLowerCase()}|${jobName}`;
  }

  /** The job with its state advanced to now; undefined when unknown or deleted. */
  get(clusterPath: string, jobName: string): HdiJob | undefined {
    const job = this.jobs.get(HdiJobStore.key(clusterPath, jobName));
    if (job) this.settle(job);
    return job && !job.deleted ? job : undefined;
  }

  /** Jobs of one cluster in creation order, settled. */
  list(clusterPath: string): HdiJob[] {
    const prefix = `${clusterPath.toLowerCase()}|`;
    return [...this.jobs.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([, j]) => j)
      .filter((j) => {
        this.settle(j);
        return !j.deleted;
      });
  }

  operation(id: string): Operation | undefined {
    const op = this.operations.get(id);
    const job = op && this.jobs.get(op.jobKey);
    if (job) this.settle(job);
    return op;
  }

  /** Validates and starts an action; returns the operation id to poll. Throws ActionRejected. */
  begin(clusterPath: string, req: JobRequest): Operation {
    const key = HdiJobStore.key(clusterPath, req.jobName);
    const existing = this.get(clusterPath, req.jobName);
    const now = this.ctx.clock.now();
    let job: HdiJob;
    if (req.action === 'NEW') {
      if (existing)
        throw new ActionRejected(
          409,
          'Conflict',
          `A job named '${req.jobName}' already exists on this cluster (status ${existing.status}).`,
        );
      for (const field of ['jobJarDirectory', 'jarName', 'entryClass'] as const) {
        if (!req[field])
          throw new ActionRejected(400, 'BadRequest', `properties.${field} is required for action NEW.`);
      }
      job = {
        clusterPath,
        jobName: req.jobName,
        runId: req.runId ?? `job-${crypto.randomUUID()}`,
        jobId: '',
        status: 'INITIALIZING',
        action: 'NEW',
        actionResult: 'IN_PROGRESS',
        jobOutput: '',
        lastSavePoint: '',
        jobJarDirectory: req.jobJarDirectory ?? '',
        jarName: req.jarName ?? '',
        entryClass: req.entryClass ?? '',
        args: req.args ?? '',
        flinkConfiguration: req.flinkConfiguration ?? {},
        savepoints: [],
        restoredFrom: undefined,
        runningSince: undefined,
        endsAt: undefined,
        failAt: undefined,
        pending: undefined,
        deleted: false,
      };
      this.jobs.set(key, job);
      this.ctx.stats.submitted(req.jobName);
    } else {
      if (!existing)
        throw new ActionRejected(
          404,
          'ResourceNotFound',
          `Job '${req.jobName}' was not found on this cluster.`,
        );
      job = existing;
      if (job.pending) {
        throw new ActionRejected(
          409,
          'Conflict',
          `Action ${job.pending.action} is still in progress for job '${req.jobName}'.`,
        );
      }
      const allowed = ALLOWED_FROM[req.action];
      if (allowed !== 'any' && !allowed.includes(job.status)) {
        throw new ActionRejected(
          400,
          'InvalidJobAction',
          `Action ${req.action} is not allowed for job '${req.jobName}' in status ${job.status}; allowed from ${allowed.join(', ')}.`,
        );
      }
      if (
        req.savePointName &&
        (req.action === 'START' || req.action === 'UPDATE') &&
        !this.findSavepoint(job, req.savePointName)
      ) {
        throw new ActionRejected(
          400,
          'SavepointNotFound',
          `Savepoint '${req.savePointName}' does not exist for job '${req.jobName}'.`,
        );
      }
      job.action = req.action;
      job.actionResult = 'IN_PROGRESS';
    }
    const stuck = this.ctx.stuck('hdinsight', req.jobName, req.action);
    const operation: Operation = { id: crypto.randomUUID(), jobKey: key, action: req.action };
    job.pending = {
      operationId: operation.id,
      action: req.action,
      request: req,
      completesAt: stuck ? null : now + this.timings.actionSeconds * 1000,
    };
    this.operations.set(operation.id, operation);
    return operation;
  }

  private findSavepoint(job: HdiJob, name: string): string | undefined {
    return job.savepoints.find((p) => p === name || p.endsWith(`/${name}`));
  }

  /** Applies every timed event up to now, earliest first. */
  private settle(job: HdiJob): void {
    const now = this.ctx.clock.now();
    for (;;) {
      const events: Array<[number, () => void]> = [];
      if (job.pending?.completesAt != null) {
        const at = job.pending.completesAt;
        events.push([at, () => this.complete(job, at)]);
      }
      if (job.status === 'RUNNING' && job.failAt !== undefined) {
        events.push([
          job.failAt,
          () => this.end(job, 'FAILED', 'Job failed: java.lang.RuntimeException: injected failure.'),
        ]);
      }
      if (job.status === 'RUNNING' && job.endsAt !== undefined) {
        events.push([job.endsAt, () => this.end(job, 'FINISHED', 'Job finished.')]);
      }
      const due = events.filter(([at]) => at <= now).sort((a, b) => a[0] - b[0])[0];
      if (!due) return;
      due[1]();
    }
  }

  private end(job: HdiJob, status: string, output: string): void {
    job.status = status;
    job.jobOutput = output;
    job.runningSince = job.endsAt = job.failAt = undefined;
  }

  private savepointDirectory(job: HdiJob): string {
    const cluster = job.clusterPath.split('/').at(-1) ?? 'cluster';
    return (
      job.flinkConfiguration['savepoint.directory'] ??
      `abfs://flink@emulated.dfs.core.windows.net/${cluster}/savepoints`
    ).replace(/\/$/, '');
  }

  private takeSavepoint(job: HdiJob): string {
    const path = `${this.savepointDirectory(job)}/savepoint-${job.jobId.slice(0, 6)}-${hex32().slice(0, 12)}`;
    job.savepoints.push(path);
    job.lastSavePoint = path;
    return path;
  }

  private latestCheckpoint(job: HdiJob, at: number): string {
    const runningMs = at - (job.runningSince ?? at);
    const n = Math.max(1, Math.floor(runningMs / (this.timings.checkpointIntervalSeconds * 1000)));
    return `${this.savepointDirectory(job).replace(/savepoints$/, 'checkpoints')}/${job.jobId}/chk-${n}`;
  }

  private start(job: HdiJob, at: number, restoreFrom: string | undefined): void {
    job.jobId = hex32();
    job.status = 'RUNNING';
    job.restoredFrom = restoreFrom;
    job.runningSince = at;
    const runSeconds = this.ctx.runSeconds(job.jobName);
    job.endsAt = runSeconds === null ? undefined : at + runSeconds * 1000;
    job.failAt = this.ctx.failAt('hdinsight', job.jobName, at);
    job.jobOutput = restoreFrom ? `Job started from ${restoreFrom}.` : 'Job started without state.';
  }

  private complete(job: HdiJob, at: number): void {
    const pending = job.pending;
    if (!pending) return;
    job.pending = undefined;
    const req = pending.request;
    const running = job.status === 'RUNNING';
    const needsRunning = ['STOP', 'SAVEPOINT', 'UPDATE', 'LAST_STATE_UPDATE'].includes(pending.action);
    if (needsRunning && !running) {
      job.actionResult = 'FAILED';
      job.jobOutput = `Action ${pending.action} failed: the job is ${job.status}, not RUNNING.`;
    } else {
      if (START_ACTIONS.has(pending.action)) {
        if (req.jobJarDirectory) job.jobJarDirectory = req.jobJarDirectory;
        if (req.jarName) job.jarName = req.jarName;
        if (req.entryClass) job.entryClass = req.entryClass;
        if (req.args !== undefined) job.args = req.args;
        if (req.flinkConfiguration)
          job.flinkConfiguration = { ...job.flinkConfiguration, ...req.flinkConfiguration };
      }
      const named = req.savePointName ? this.findSavepoint(job, req.savePointName) : undefined;
      switch (pending.action) {
        case 'NEW':
        case 'STATELESS_UPDATE':
        case 'RE_LAUNCH':
          this.start(job, at, undefined);
          break;
        case 'START':
          this.start(job, at, named ?? (job.lastSavePoint || undefined));
          break;
        case 'UPDATE':
          this.start(job, at, named ?? this.takeSavepoint(job));
          break;
        case 'LAST_STATE_UPDATE':
          this.start(job, at, this.latestCheckpoint(job, at));
          break;
        case 'STOP': {
          const path = this.takeSavepoint(job);
          this.end(job, 'STOPPED', `Savepoint completed. Path: ${path}`);
          break;
        }
        case 'SAVEPOINT':
          job.jobOutput = `Savepoint completed. Path: ${this.takeSavepoint(job)}`;
          break;
        case 'LIST_SAVEPOINT':
          job.jobOutput = job.savepoints.join('\n');
          break;
        case 'CANCEL':
          this.end(job, 'CANCELED', 'Job canceled.');
          break;
        case 'DELETE':
          job.deleted = true;
          break;
      }
      job.actionResult = 'SUCCESS';
    }
    const op = this.operations.get(pending.operationId);
    if (op) op.result = job.deleted ? 'deleted' : clusterJobResource(job);
  }
}

/** The ARM `ClusterJob` resource for a job. */
export function clusterJobResource(job: HdiJob): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    jobType: 'FlinkJob',
    jobName: job.jobName,
    action: job.action,
    jobJarDirectory: job.jobJarDirectory,
    jarName: job.jarName,
    entryClass: job.entryClass,
    args: job.args,
    flinkConfiguration: job.flinkConfiguration,
    runId: job.runId,
    status: job.status,
    actionResult: job.actionResult,
  };
  if (job.jobId) properties.jobId = job.jobId;
  if (job.jobOutput) properties.jobOutput = job.jobOutput;
  if (job.lastSavePoint) properties.lastSavePoint = job.lastSavePoint;
  return {
    id: `${job.clusterPath}/jobs/${job.jobName}`,
    name: job.jobName,
    type: 'Microsoft.HDInsight/clusterpools/clusters/jobs',
    properties,
  };
}
