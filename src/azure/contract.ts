import { createHash } from 'node:crypto';
import type { FinalTaskState, PlanIR, RunState, TaskIR } from '../compiler/ir.ts';
import type { JobRef, RunContext, TaskInvocation, TaskSpec } from '../handlers/contract.ts';
import type { DagRunType } from '../runs/api/backend.ts';
import type { Resume } from '../runs/resume.ts';

/**
 * Names and payloads the Durable functions pass each other. Everything here lands in Durable
 * history, so it stays small and never carries a token or secret value.
 */
export const FN = {
  run: 'airless_run',
  task: 'airless_task',
  job: 'airless_job',
  handler: 'airless_task_handler',
  startTasks: 'airless_start_tasks',
  notify: 'airless_notify',
  stopJob: 'airless_stop_job',
  reapSlots: 'airless_reap_slots',
  slots: 'airless_run_slots',
} as const;

/** The run orchestrator waits for one of these per task that ran. */
export const TASK_DONE_EVENT = 'airless_task_done';
/** Raised on a run waiting for a max_active_runs slot when one is handed to it. */
export const SLOT_GRANTED_EVENT = 'airless_slot_granted';

export interface SimulateOptions {
  /** Task ids that fail on every try. */
  fail: string[];
}

export interface RunInput {
  /** The plan the run pinned when it started: later registrations never change a running run. */
  plan: PlanIR;
  run: RunContext;
  /** Simulation: every task takes its expected_duration of durable-timer time instead of a handler. */
  simulate: SimulateOptions | null;
  /** How the run was asked for (the HTTP API and schedules set it). */
  trigger?: RunTrigger;
  /** A re-run of a cleared run: the tasks it keeps, and where the others' tries count on from. */
  resume?: Resume;
}

export interface RunTrigger {
  run_type: DagRunType;
  queued_at: string;
  request_hash: string;
  /** The DAG version the run pinned (absent in runs started before versions were counted: 1). */
  version?: number;
  note?: string | null;
  backfill_id?: number | null;
  /** Which orchestration attempt of the run this is: 1, then one more per re-run of cleared tasks. */
  attempt?: number;
}

export interface TaskInput {
  run_instance: string;
  task: TaskIR;
  spec: TaskSpec;
  run: RunContext;
  upstream: Record<string, Record<string, unknown>>;
  /** Simulation of this task: whether every try fails. */
  simulate: { fail: boolean } | null;
  /** The first try is try_base + 1 (a re-run continues counting); 0 when absent. */
  try_base?: number;
}

export interface ErrorInfo {
  name: string;
  message: string;
  /** The service's Retry-After hint, when it gave one. */
  retry_after_s?: number;
}

export type TryResult = { ok: true; output: Record<string, unknown> } | { ok: false; error: ErrorInfo };

export interface TaskDone {
  task_id: string;
  state: Extract<FinalTaskState, 'success' | 'failed'>;
  try_number: number;
  output: Record<string, unknown>;
  error: ErrorInfo | null;
  /** ISO instants of the first try's start and the last try's end (orchestration time). */
  started_at: string;
  ended_at: string;
}

export interface JobInput {
  invocation: Omit<TaskInvocation, 'op' | 'job'>;
  job: JobRef | null;
  /** Delay before the next poll, seconds. */
  poll_interval_s: number;
  max_poll_interval_s: number | null;
  /** Polls made by earlier executions of this instance (continue-as-new carries it). */
  polls_before: number;
}

/** What the handler activity returns: the handler's result, or its error as data for name matching. */
export type HandlerEnvelope = { ok: true; result: unknown } | { ok: false; error: ErrorInfo };

export interface TaskRecord {
  state: FinalTaskState;
  try_number: number;
  start_s: number;
  end_s: number;
}

/** The run orchestration's custom status while it runs: what the status API reports. */
export interface RunProgress {
  state: 'queued' | 'running';
  /** When the run got its max_active_runs slot (ISO instant). */
  started_at?: string;
  /**
   * One character per task, in plan order (see PROGRESS_CODES): compact, because the custom status
   * of an orchestration is limited in size (16 KB with the Azure Storage provider).
   */
  tasks?: string;
}

export type TaskProgress = FinalTaskState | 'running' | null;
/** The character of each task state in RunProgress.tasks; '.' is not decided yet. */
export const PROGRESS_CODES: Record<Exclude<TaskProgress, null>, string> = {
  running: 'r',
  success: 's',
  failed: 'f',
  skipped: 'k',
  upstream_failed: 'u',
};

/** The state of each task, by id, from a run's custom status. */
export function progressOf(
  plan: { tasks: Array<{ task_id: string }> },
  codes: string | undefined,
): Map<string, TaskProgress> {
  const byCode = new Map(
    Object.entries(PROGRESS_CODES).map(([state, code]) => [code, state as TaskProgress]),
  );
  return new Map(plan.tasks.map((t, i) => [t.task_id, byCode.get(codes?.[i] ?? '.') ?? null]));
}

export interface RunResult {
  dag_id: string;
  run_id: string;
  state: RunState;
  /** When the run got its max_active_runs slot and started, and when it ended (ISO instants). */
  started_at: string;
  ended_at: string;
  tasks: Record<string, TaskRecord>;
}

const SCHEDULED_PREFIX = 'scheduled__';
/** Durable instance ids may not hold '/', '\\', '#', '?' or control characters. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be refused
const INSTANCE_UNSAFE = /[/\\#?\u0000-\u001f\u007f]/;

/**
 * A run's instance id, a pure function of dag_id and run id so a repeated start finds the run it
 * already started; a scheduled run's is `dag_id@logical_date`. Characters an instance id cannot
 * hold are replaced and a hash of the run id appended, so distinct run ids stay distinct.
 */
export function runInstanceId(dagId: string, runId: string): string {
  const id = runId.startsWith(SCHEDULED_PREFIX)
    ? `${dagId}@${runId.slice(SCHEDULED_PREFIX.length)}`
    : `${dagId}:${runId}`;
  if (!INSTANCE_UNSAFE.test(id)) return id;
  return `${id.replace(new RegExp(INSTANCE_UNSAFE.source, 'g'), '_')}-${createHash('sha256').update(runId).digest('hex').slice(0, 12)}`;
}

/**
 * The instance of a run's nth orchestration attempt: the first is the run's instance, a re-run of
 * cleared tasks is `<run instance>!<n>` ('!' is in no run id, so no other run's instance is hit).
 */
export const attemptInstanceId = (runInstance: string, attempt: number): string =>
  attempt <= 1 ? runInstance : `${runInstance}!${attempt}`;

export const taskInstanceId = (runInstance: string, taskId: string): string => `${runInstance}|${taskId}`;
export const jobInstanceId = (taskInstance: string, tryNumber: number): string =>
  `${taskInstance}|try${tryNumber}`;
