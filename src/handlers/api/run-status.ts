import { DescribeExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import type { PlanIR } from '../../compiler/ir.ts';
import { TASK_RETRYABLE_ERRORS } from '../../errors.ts';
import { type HandlerCall, handlerCalls, readHistory } from './execution-history.ts';
import { airflowInstant } from './run-ids.ts';
import { runStateOf } from './run-finished.ts';
import type { RunDeps } from './run-queue.ts';
import type { RunRecord } from './run-store.ts';

/** Airflow TaskInstance states this API reports. */
export type TaskState =
  'success' | 'failed' | 'skipped' | 'upstream_failed' | 'running' | 'up_for_retry' | null;

export interface TaskInstance {
  task_id: string;
  operator: string;
  state: TaskState;
  try_number: number;
  start_date: string | null;
  end_date: string | null;
}

export interface DagRunView {
  dag_id: string;
  dag_run_id: string;
  run_type: string;
  state: 'queued' | 'running' | 'success' | 'failed';
  logical_date: string;
  data_interval_start: string;
  data_interval_end: string;
  queued_at: string;
  start_date: string | null;
  end_date: string | null;
  conf: Record<string, unknown>;
  execution_arn: string | null;
  task_instances?: TaskInstance[];
}

export function dagRunView(run: RunRecord): DagRunView {
  return {
    dag_id: run.dag_id,
    dag_run_id: run.run_id,
    run_type: run.run_type,
    state: run.state,
    logical_date: run.logical_date,
    data_interval_start: run.logical_date,
    data_interval_end: run.logical_date,
    queued_at: airflowInstant(new Date(run.queued_at)),
    start_date: run.start_date,
    end_date: run.end_date,
    conf: run.conf,
    execution_arn: run.execution_arn,
  };
}

const FINAL = new Set(['success', 'failed', 'skipped', 'upstream_failed']);

/** A task's state from the handler calls it made (its last call decides), or from the workflow's own record. */
function taskInstance(
  task: PlanIR['tasks'][number],
  calls: HandlerCall[],
  recorded: Record<string, unknown>,
  executionEnded: boolean,
): TaskInstance {
  const mine = calls.filter((c) => c.invocation.task.task_id === task.task_id);
  const tryNumber = Math.max(0, ...mine.map((c) => c.invocation.try_number));
  const first = mine[0];
  const last = mine.at(-1);
  let state: TaskState = null;
  const written = recorded[task.task_id];
  if (typeof written === 'string' && FINAL.has(written)) {
    state = written as TaskState;
  } else if (last) {
    if (last.invocation.op === 'poll' && last.outcome === 'succeeded') state = 'success';
    else if (last.outcome === 'pending' || last.error === 'StillRunning' || last.invocation.op === 'submit') {
      state = executionEnded ? 'failed' : 'running';
    } else if (last.outcome === 'failed') {
      state = !executionEnded && TASK_RETRYABLE_ERRORS.includes(last.error ?? '') ? 'up_for_retry' : 'failed';
    }
  }
  const ended = state !== null && FINAL.has(state);
  return {
    task_id: task.task_id,
    operator: task.operator,
    state,
    try_number: tryNumber,
    start_date: first ? airflowInstant(first.timestamp) : null,
    end_date: ended && last ? airflowInstant(last.timestamp) : null,
  };
}

/**
 * The task records the workflow itself keeps in its state (`tasks.<id>.state`, see
 * compiler/aws/asl-types.ts), read from every state's input and output in the history; later
 * events win, so the record of a finished task is its final state, including skipped and
 * upstream_failed tasks that never called a handler.
 */
function recordedStates(events: HistoryEvent[]): Record<string, unknown> {
  const states: Record<string, unknown> = {};
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
      const state = (record as { state?: unknown } | null)?.state;
      if (typeof state === 'string') states[id] = state;
    }
  }
  return states;
}

/** The run as Airflow shows it, with each task's state read from the execution and its history. */
export async function describeRun(deps: RunDeps, run: RunRecord, plan: PlanIR): Promise<DagRunView> {
  const view = dagRunView(run);
  if (!run.execution_arn) {
    return { ...view, task_instances: plan.tasks.map((t) => taskInstance(t, [], {}, false)) };
  }
  const execution = await deps.sfn.send(new DescribeExecutionCommand({ executionArn: run.execution_arn }));
  const ended = execution.status !== 'RUNNING' && execution.status !== 'PENDING_REDRIVE';
  const events = await readHistory(deps.sfn, run.execution_arn);
  const calls = handlerCalls(events);
  const recorded = recordedStates(events);
  return {
    ...view,
    // The status-change event may not have been handled yet; the execution is the truth.
    state: ended ? runStateOf(execution.status!, execution.output) : 'running',
    start_date: execution.startDate ? airflowInstant(execution.startDate) : view.start_date,
    end_date: execution.stopDate ? airflowInstant(execution.stopDate) : view.end_date,
    task_instances: plan.tasks.map((t) => taskInstance(t, calls, recorded, ended)),
  };
}
