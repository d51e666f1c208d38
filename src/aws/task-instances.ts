import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { PlanIR } from '../compiler/ir.ts';
import { TASK_RETRYABLE_ERRORS } from '../errors.ts';
import { JobRefSchema, type TaskSpec } from '../handlers/contract.ts';
import { type HandlerCall, handlerCalls } from './execution-history.ts';
import { airflowInstant } from '../runs/run-ids.ts';
import type { TaskInstanceRecord, TaskInstanceState, TaskTry } from '../runs/api/backend.ts';
import { jobPlace, jobUrl } from '../runs/job-links.ts';

const placeOf = (task: TaskSpec) => jobPlace(task.operator, task.config, task.connection?.fields.host);

/** One execution (attempt) of a run: its history and whether it has ended. */
export interface ExecutionRead {
  events: HistoryEvent[];
  ended: boolean;
}

const FINAL = new Set<TaskInstanceState>(['success', 'failed', 'skipped', 'upstream_failed']);

/**
 * The error of an execution stopped because the process that ran it died (`airless standalone`
 * restarting, src/local/standalone/restart.ts): its unfinished tries were in flight, not failed, so
 * a re-run from its outcomes runs those same tries again.
 */
export const INTERRUPTED_ERROR = 'airless.Interrupted';
const interrupted = (events: HistoryEvent[]): boolean =>
  events.some(
    (e) => e.type === 'ExecutionAborted' && e.executionAbortedEventDetails?.error === INTERRUPTED_ERROR,
  );

/**
 * The final task states the workflow recorded in its own state (`tasks.<id>`, a state name; see
 * compiler/aws/asl-types.ts), read from every state's input and output; later events win.
 */
export function recordedStates(events: HistoryEvent[]): Map<string, TaskInstanceState> {
  const states = new Map<string, TaskInstanceState>();
  for (const event of events) {
    const text = event.stateEnteredEventDetails?.input ?? event.stateExitedEventDetails?.output;
    if (!text?.includes('"tasks"')) continue;
    let tasks: unknown;
    try {
      tasks = (JSON.parse(text) as { tasks?: unknown }).tasks;
    } catch {
      continue;
    }
    if (tasks === null || typeof tasks !== 'object' || Array.isArray(tasks)) continue;
    for (const [id, record] of Object.entries(tasks)) {
      const state = typeof record === 'string' ? record : (record as { state?: unknown } | null)?.state;
      if (typeof state === 'string' && FINAL.has(state as TaskInstanceState))
        states.set(id, state as TaskInstanceState);
    }
  }
  return states;
}

type Level = TaskTry['log'][number]['level'];

function logLine(call: HandlerCall): { event: string; level: Level } {
  const job = JobRefSchema.safeParse(call.result?.job ?? call.invocation.job);
  const jobText = job.success
    ? ` job ${job.data.job_name}${job.data.job_id ? ` (id ${job.data.job_id})` : ''}`
    : '';
  const op = call.invocation.op;
  if (call.outcome === 'pending') return { event: `${op}${jobText}: called, no answer yet`, level: 'info' };
  if (call.outcome === 'succeeded') {
    const status =
      typeof call.result?.output === 'object'
        ? (call.result.output as { status?: unknown }).status
        : undefined;
    const reached = op === 'poll' ? ' reached its goal' : op === 'cancel' ? ' cancelled' : ' succeeded';
    return {
      event: `${op}${jobText}${reached}${typeof status === 'string' ? ` (status ${status})` : ''}`,
      level: 'info',
    };
  }
  if (call.error === 'StillRunning') return { event: `${op}${jobText}: still running`, level: 'info' };
  return {
    event: `${op}${jobText} failed: ${call.error ?? 'error'}${call.message ? `: ${call.message}` : ''}`,
    level: call.error !== null && TASK_RETRYABLE_ERRORS.includes(call.error) ? 'warning' : 'error',
  };
}

/** A try's state from its calls: the last one decides. */
function tryState(calls: HandlerCall[], waits: boolean, live: boolean, latest: boolean): TaskInstanceState {
  const last = calls.at(-1)!;
  const op = last.invocation.op;
  if (
    last.outcome === 'succeeded' &&
    (op === 'poll' || (op === 'submit' && (!waits || 'output' in (last.result ?? {}))))
  )
    return 'success';
  if (last.outcome === 'succeeded' && op === 'cancel') return 'failed';
  const unfinished =
    last.outcome === 'pending' || last.error === 'StillRunning' || last.outcome === 'succeeded';
  if (unfinished) return live && latest ? 'running' : 'failed';
  if (live && latest && TASK_RETRYABLE_ERRORS.includes(last.error ?? '')) return 'up_for_retry';
  return 'failed';
}

/**
 * The run's task instances from the histories of all its executions, oldest first: every try of
 * every attempt (a re-run continues the try numbers), each try's log (the handler calls it made),
 * job and link; a task's state is the one the latest execution recorded, else its latest try's.
 */
export function taskInstances(plan: PlanIR, executions: ExecutionRead[]): TaskInstanceRecord[] {
  const latest = executions.at(-1);
  const recorded = latest ? recordedStates(latest.events) : new Map<string, TaskInstanceState>();
  const tries = new Map<string, Map<number, { calls: HandlerCall[]; live: boolean }>>();
  for (const execution of executions) {
    for (const call of handlerCalls(execution.events)) {
      const id = call.invocation.task.task_id;
      if (!tries.has(id)) tries.set(id, new Map());
      const byTry = tries.get(id)!;
      const entry = byTry.get(call.invocation.try_number) ?? { calls: [], live: false };
      entry.calls.push(call);
      entry.live = execution === latest && (!execution.ended || interrupted(execution.events));
      byTry.set(call.invocation.try_number, entry);
    }
  }
  return plan.tasks.map((task) => {
    const byTry = [...(tries.get(task.task_id)?.entries() ?? [])].sort((a, b) => a[0] - b[0]);
    let outputs: Record<string, unknown> | null = null;
    const taskTries: TaskTry[] = byTry.map(([tryNumber, { calls, live }], i) => {
      const state = tryState(calls, task.wait_for !== null, live, i === byTry.length - 1);
      const submitted = calls.map((c) => JobRefSchema.safeParse(c.result?.job)).find((j) => j.success)?.data;
      const done = calls.findLast((c) => c.outcome === 'succeeded' && c.result && 'output' in c.result);
      if (state === 'success' && done) outputs = done.result!.output as Record<string, unknown>;
      return {
        try_number: tryNumber,
        state,
        start_date: airflowInstant(calls[0]!.scheduled_at),
        end_date: FINAL.has(state) ? airflowInstant(calls.at(-1)!.timestamp) : null,
        job_id: submitted?.job_id ?? submitted?.job_name ?? null,
        job_url: submitted ? jobUrl(submitted, placeOf(calls[0]!.invocation.task)) : null,
        log: calls.map((c) => ({ timestamp: airflowInstant(c.scheduled_at), ...logLine(c) })),
      };
    });
    const current = taskTries.at(-1);
    const state =
      recorded.get(task.task_id) ??
      (latest && current?.state === 'running' ? 'running' : (current?.state ?? null));
    return {
      task_id: task.task_id,
      state: current === undefined && !recorded.has(task.task_id) ? null : state,
      try_number: current?.try_number ?? 0,
      start_date: taskTries[0]?.start_date ?? null,
      end_date: FINAL.has(state) ? (current?.end_date ?? null) : null,
      tries: taskTries,
      outputs: state === 'success' ? outputs : null,
    };
  });
}
