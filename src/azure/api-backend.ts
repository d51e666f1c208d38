import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';
import type { PlanIR, TaskIR } from '../compiler/ir.ts';
import { formatDiagnostic } from '../dag/diagnostics.ts';
import { isEnded, statusOrNull } from './client-status.ts';
import {
  FN,
  attemptInstanceId,
  jobInstanceId,
  runInstanceId,
  taskInstanceId,
  type RunInput,
  type RunResult,
  type TaskDone,
  type TaskInput,
  type TryResult,
} from './contract.ts';
import type { BlobPlanStore, LiveEntry } from './plan-store.ts';
import type { DurableDeps } from './register.ts';
import {
  cancelDurableRun,
  runEntry,
  runStatus,
  taskStatesOf,
  triggerDurableRun,
  type RunsDeps,
} from './runs-api.ts';
import { taskSpecOf } from './orchestrators/task-spec.ts';
import type { JobRef } from '../handlers/contract.ts';
import type {
  ApiBackend,
  BackfillRecord,
  CancelOutcome,
  DagEntry,
  ImportErrorEntry,
  RerunOutcome,
  RerunRequest,
  RunEntry,
  TaskInstanceRecord,
  TaskInstanceState,
  TaskTry,
  TriggerOutcome,
  TriggerRequest,
} from '../runs/api/backend.ts';
import { jobPlace, jobUrl } from '../runs/job-links.ts';
import { resumeFrom } from '../runs/resume.ts';
import { FINAL_TASK_STATES } from '../compiler/ir.ts';
import type { RunIndex } from './run-index.ts';
import type { BlobTryLogs } from './try-logs.ts';

export interface AzureApiDeps extends DurableDeps {
  client: DurableClient;
  store: BlobPlanStore;
  runs: RunIndex;
  logs: BlobTryLogs;
  now: () => Date;
  /** The deployment's service overrides (AIRLESS_FLINK_ENDPOINT, AIRLESS_GENIE_ENDPOINT): where jobs really went. */
  endpoints?: { flink?: string | undefined; genie?: string | undefined };
}

/** Plans are stored by content hash and never rewritten, so a read one can be kept. */
const PLAN_CACHE_MAX = 256;
const planCache = new Map<string, PlanIR>();

const backfillName = (id: number): string => `backfills/${id}.json`;

/**
 * The Airflow REST API v2 port on Azure: DAGs from the blob registry, runs as Durable
 * orchestrations (a re-run of cleared tasks is a new attempt of the same run), task tries from the
 * task and job orchestrations, their logs from the try logs, backfills as conditional blobs.
 */
export class AzureApiBackend implements ApiBackend {
  constructor(private readonly deps: AzureApiDeps) {}

  now(): Date {
    return this.deps.now();
  }

  private async plan(entry: LiveEntry): Promise<PlanIR> {
    const cached = planCache.get(entry.plan_blob);
    if (cached !== undefined) return cached;
    const plan = await this.deps.store.getPlan(entry);
    if (planCache.size >= PLAN_CACHE_MAX) planCache.delete(planCache.keys().next().value!);
    planCache.set(entry.plan_blob, plan);
    return plan;
  }

  private async dagEntry(entry: LiveEntry, refused: Set<string>): Promise<DagEntry> {
    return {
      dag_id: entry.dag_id,
      plan: await this.plan(entry),
      is_paused: entry.is_paused === true,
      fileloc: entry.source_blob,
      version: entry.version ?? 1,
      updated_at: entry.updated_at,
      has_import_errors: refused.has(entry.dag_id),
    };
  }

  private async refusedDags(): Promise<Set<string>> {
    const names = await this.deps.store.records.names('errors/');
    return new Set(names.map((n) => n.slice('errors/'.length).replace(/\.json$/, '')));
  }

  async listDags(): Promise<DagEntry[]> {
    const [entries, refused] = await Promise.all([this.deps.store.listLive(), this.refusedDags()]);
    return Promise.all(entries.map((e) => this.dagEntry(e, refused)));
  }

  async getDag(dagId: string): Promise<DagEntry | null> {
    const entry = await this.deps.store.getLive(dagId);
    if (entry === null) return null;
    const errors = await this.deps.store.getErrors(dagId);
    return this.dagEntry(entry, new Set(errors === null ? [] : [dagId]));
  }

  async setPaused(dagId: string, paused: boolean): Promise<DagEntry | null> {
    const entry = await this.deps.store.setPaused(dagId, paused);
    if (entry === null) return null;
    const errors = await this.deps.store.getErrors(dagId);
    return this.dagEntry(entry, new Set(errors === null ? [] : [dagId]));
  }

  async importErrors(): Promise<ImportErrorEntry[]> {
    return (await this.deps.store.listErrors()).map((r) => ({
      id: r.id,
      filename: r.source_blob,
      timestamp: r.timestamp,
      stack_trace: r.diagnostics.map(formatDiagnostic).join('\n'),
    }));
  }

  private get runsDeps(): RunsDeps {
    return this.deps;
  }

  triggerRun(request: TriggerRequest): Promise<TriggerOutcome> {
    return triggerDurableRun(this.runsDeps, request);
  }

  async listRuns(dagId: string): Promise<RunEntry[]> {
    const indexed = await this.deps.runs.list(dagId);
    const statuses = await Promise.all(
      indexed.map((r) => statusOrNull(this.deps.client, attemptInstanceId(r.instance, r.attempts))),
    );
    return statuses
      .flatMap((s) => (s === null ? [] : [runEntry(s)]))
      .sort((a, b) => a.run_after.localeCompare(b.run_after) || a.dag_run_id.localeCompare(b.dag_run_id));
  }

  async getRun(dagId: string, runId: string): Promise<RunEntry | null> {
    const status = await runStatus(this.deps, dagId, runId);
    return status === null ? null : runEntry(status);
  }

  cancelRun(dagId: string, runId: string): Promise<CancelOutcome> {
    return cancelDurableRun(this.runsDeps, dagId, runId);
  }

  /** Every attempt of a run, oldest first (null for an attempt whose orchestration is gone). */
  private async attempts(dagId: string, runId: string): Promise<Array<DurableOrchestrationStatus | null>> {
    const base = runInstanceId(dagId, runId);
    const entry = await this.deps.runs.get(dagId, runId);
    const count = entry?.attempts ?? 1;
    return Promise.all(
      Array.from({ length: count }, (_, i) => statusOrNull(this.deps.client, attemptInstanceId(base, i + 1))),
    );
  }

  async taskInstances(dagId: string, runId: string): Promise<TaskInstanceRecord[] | null> {
    const attempts = await this.attempts(dagId, runId);
    const present = attempts.filter((a): a is DurableOrchestrationStatus => a !== null);
    const latest = present.at(-1);
    if (attempts[0] === null || latest === undefined) return null;
    const plan = (latest.input as RunInput).plan;
    const states = taskStatesOf(latest);
    return Promise.all(
      plan.tasks.map((task) =>
        this.taskInstance(dagId, runId, plan, task, present, states.get(task.task_id)),
      ),
    );
  }

  private async taskInstance(
    dagId: string,
    runId: string,
    plan: PlanIR,
    task: TIR,
    attempts: DurableOrchestrationStatus[],
    current: string | null | undefined,
  ): Promise<TaskInstanceRecord> {
    const spec = taskSpecOf(plan, task);
    const place = jobPlace(task.operator, task.config, spec.connection?.fields.host, this.deps.endpoints);
    const perAttempt = await Promise.all(
      attempts.map((a) => this.attemptTries(dagId, runId, task, a, place)),
    );
    // A try in flight when its attempt was replaced runs again under its number: the later one counts.
    const byNumber = new Map(perAttempt.flatMap((p) => p.tries).map((t) => [t.try_number, t]));
    const tries = [...byNumber.values()].sort((a, b) => a.try_number - b.try_number);
    let outputs: Record<string, unknown> | null = null;
    for (const p of perAttempt) if (p.output !== null) outputs = p.output;
    if (task.operator === 'empty' && tries.length === 0) {
      const settled = emptyTry(task, attempts);
      if (settled !== null) {
        tries.push(settled);
        if (settled.state === 'success') outputs = {};
      }
    }
    const last = tries.at(-1);
    let state = (current ?? null) as TaskInstanceState;
    if (state === 'running' && last !== undefined && last.state === 'failed') state = 'up_for_retry';
    return {
      task_id: task.task_id,
      state,
      try_number: last?.try_number ?? 0,
      start_date: last?.start_date ?? null,
      end_date: state === 'running' || state === 'up_for_retry' ? null : (last?.end_date ?? null),
      tries,
      outputs: state === 'success' ? outputs : null,
    };
  }

  /** The tries a task made in one attempt of its run, and its output if it succeeded there. */
  private async attemptTries(
    dagId: string,
    runId: string,
    task: TIR,
    attempt: DurableOrchestrationStatus,
    place: ReturnType<typeof jobPlace>,
  ): Promise<{ tries: TaskTry[]; output: Record<string, unknown> | null }> {
    const instance = taskInstanceId(attempt.instanceId, task.task_id);
    const status = await statusOrNull(this.deps.client, instance);
    if (status === null) return { tries: [], output: null };
    const first = ((status.input as TaskInput).try_base ?? 0) + 1;
    const lastTry = (status.customStatus as { try_number?: number } | null)?.try_number ?? first;
    const done = status.runtimeStatus === 'Completed' ? (status.output as TaskDone) : null;
    const numbers = Array.from({ length: Math.max(0, lastTry - first + 1) }, (_, i) => first + i);
    const tries = await Promise.all(
      numbers.map(async (n): Promise<TaskTry> => {
        const [job, log] = await Promise.all([
          statusOrNull(this.deps.client, jobInstanceId(instance, n)),
          this.deps.logs.read(dagId, runId, task.task_id, n),
        ]);
        const ref = (job?.customStatus as { job?: JobRef } | null)?.job ?? null;
        return {
          try_number: n,
          state: tryState(job, status, done, n === lastTry),
          start_date: job === null ? null : new Date(job.createdTime).toISOString(),
          end_date: job !== null && isEnded(job) ? new Date(job.lastUpdatedTime).toISOString() : null,
          job_id: ref?.job_id ?? null,
          job_url: ref === null ? null : jobUrl(ref, place),
          log,
        };
      }),
    );
    return { tries, output: done?.state === 'success' ? done.output : null };
  }

  /**
   * A new orchestration attempt of the run (`<run instance>!<n>`), from the recorded outcomes of
   * the tasks not cleared (resumeFrom). A run still going is stopped first (its jobs cancelled), and
   * its unfinished tasks run again too: their jobs were just stopped. Two clears at once: the one
   * that claims the next attempt starts it, the other answers with it.
   */
  async rerun(dagId: string, runId: string, request: RerunRequest): Promise<RerunOutcome> {
    const base = runInstanceId(dagId, runId);
    const seen = (await this.deps.runs.get(dagId, runId))?.attempts ?? 1;
    const latest = await statusOrNull(this.deps.client, attemptInstanceId(base, seen));
    if (latest === null) return { kind: 'not_found' };
    const input = latest.input as RunInput;
    const tis = (await this.taskInstances(dagId, runId)) ?? [];
    const cleared = new Set(request.cleared);
    if (!isEnded(latest)) {
      for (const ti of tis) if (!isFinal(ti.state)) cleared.add(ti.task_id);
      await cancelDurableRun(this.runsDeps, dagId, runId);
    }
    const attempt = await this.deps.runs.claimAttempt(dagId, runId, seen);
    if (attempt === null) {
      const now = await runStatus(this.deps, dagId, runId);
      return { kind: 'rerun', run: runEntry(now!) };
    }
    const next: RunInput = {
      ...input,
      ...(input.trigger === undefined
        ? {}
        : { trigger: { ...input.trigger, queued_at: this.deps.now().toISOString(), attempt } }),
      resume: resumeFrom(input.plan, tis, cleared),
    };
    const instanceId = attemptInstanceId(base, attempt);
    await this.deps.client.startNew(FN.run, { instanceId, input: next });
    return { kind: 'rerun', run: runEntry((await statusOrNull(this.deps.client, instanceId))!) };
  }

  async createBackfill(record: Omit<BackfillRecord, 'id'>): Promise<BackfillRecord> {
    const records = this.deps.store.records;
    for (;;) {
      const id = await records.nextId('backfills');
      const backfill: BackfillRecord = { id, ...record };
      if (await records.write(backfillName(id), backfill, null)) return backfill;
    }
  }

  async getBackfill(id: number): Promise<BackfillRecord | null> {
    return (await this.deps.store.records.read<BackfillRecord>(backfillName(id)))?.value ?? null;
  }

  async listBackfills(dagId: string | null): Promise<BackfillRecord[]> {
    const records = this.deps.store.records;
    const names = await records.names('backfills/');
    const all = await Promise.all(names.map((n) => records.read<BackfillRecord>(n)));
    return all
      .flatMap((r) => (r === null || (dagId !== null && r.value.dag_id !== dagId) ? [] : [r.value]))
      .sort((a, b) => a.id - b.id);
  }

  async updateBackfill(record: BackfillRecord): Promise<void> {
    await this.deps.store.records.update<BackfillRecord>(backfillName(record.id), () => record);
  }
}

type TIR = TaskIR;

const FINAL: ReadonlySet<string> = new Set(FINAL_TASK_STATES);
const isFinal = (state: TaskInstanceState): boolean => state !== null && FINAL.has(state);

/** A try's state from its job orchestration (the task orchestration's outcome when it made none). */
function tryState(
  job: DurableOrchestrationStatus | null,
  task: DurableOrchestrationStatus,
  done: TaskDone | null,
  isLast: boolean,
): TaskInstanceState {
  if (job === null) {
    if (isLast && done !== null) return done.state;
    return isEnded(task) ? 'failed' : 'running';
  }
  if (job.runtimeStatus === 'Completed')
    return (job.output as TryResult | null)?.ok === true ? 'success' : 'failed';
  if (isEnded(job)) return 'failed';
  return 'running';
}

/** An `empty` task runs inline in its run's orchestration: its one try, from the attempt that settled it. */
function emptyTry(task: TIR, attempts: DurableOrchestrationStatus[]): TaskTry | null {
  for (const a of [...attempts].reverse()) {
    if (a.runtimeStatus !== 'Completed' || (a.input as RunInput).resume?.prior[task.task_id] !== undefined)
      continue;
    const result = a.output as RunResult;
    const rec = result.tasks[task.task_id];
    if (rec === undefined || rec.try_number === 0) continue;
    const at = (s: number): string => new Date(Date.parse(result.started_at) + s * 1000).toISOString();
    return {
      try_number: rec.try_number,
      state: rec.state,
      start_date: at(rec.start_s),
      end_date: at(rec.end_s),
      job_id: null,
      job_url: null,
      log: [],
    };
  }
  return null;
}
