import type { OrchestrationContext, Task } from 'durable-functions';
import {
  FN,
  TASK_DONE_EVENT,
  jobInstanceId,
  type JobInput,
  type TaskDone,
  type TaskInput,
  type TryResult,
} from '../contract.ts';
import { retryDelaySeconds } from '../../semantics/retry-delays.ts';
import { isTaskRetryable, TIMEOUT_ERROR } from './retry.ts';
import { callInfraActivity } from './activity-retry.ts';

const at = (context: OrchestrationContext, seconds: number): Date =>
  new Date(context.df.currentUtcDateTime.getTime() + seconds * 1000);

/**
 * One DAG task of one run: its tries (retries with backoff and a cap), each bounded by
 * execution_timeout through a durable timer raced against the try. Reports its final state to the
 * run orchestrator with an external event.
 */
export function* taskOrchestrator(context: OrchestrationContext): Generator<Task, TaskDone, unknown> {
  const input = context.df.getInput() as TaskInput;
  const { task } = input;
  const startedAt = context.df.currentUtcDateTime.toISOString();
  // A re-run's tries count on from the earlier ones (job names differ); retries and their delays
  // count the tries of this run of the task, as Airflow's clear gives a task its retries again.
  const base = input.try_base ?? 0;
  let tryNumber = base;
  let result: TryResult;
  try {
    for (;;) {
      tryNumber += 1;
      context.df.setCustomStatus({ try_number: tryNumber });
      result = yield* runTry(context, input, tryNumber);
      if (result.ok || !isTaskRetryable(result.error.name) || tryNumber - base > task.retries) break;
      yield context.df.createTimer(at(context, retryDelaySeconds(task, tryNumber - base + 1)));
    }
  } catch (e) {
    // Whatever breaks here, the run must still hear that this task ended.
    result = { ok: false, error: { name: 'OrchestrationFailed', message: (e as Error).message } };
  }
  const done: TaskDone = {
    task_id: task.task_id,
    state: result.ok ? 'success' : 'failed',
    try_number: tryNumber,
    output: result.ok ? result.output : {},
    error: result.ok ? null : result.error,
    started_at: startedAt,
    ended_at: context.df.currentUtcDateTime.toISOString(),
  };
  yield* callInfraActivity(context, FN.notify, {
    instance: input.run_instance,
    event: TASK_DONE_EVENT,
    data: done,
  });
  return done;
}

function* runTry(
  context: OrchestrationContext,
  input: TaskInput,
  tryNumber: number,
): Generator<Task, TryResult, unknown> {
  const { task } = input;
  const jobId = jobInstanceId(context.df.instanceId, tryNumber);
  const work: Task | null = input.simulate
    ? task.expected_duration_s > 0
      ? context.df.createTimer(at(context, task.expected_duration_s))
      : null
    : context.df.callSubOrchestrator(FN.job, jobInput(input, tryNumber), jobId);
  if (work !== null) {
    const deadline =
      task.execution_timeout_s === null
        ? null
        : context.df.createTimer(at(context, task.execution_timeout_s));
    try {
      const winner = yield deadline === null ? work : context.df.Task.any([work, deadline]);
      if (deadline !== null && winner === deadline) {
        if (!input.simulate) {
          yield* callInfraActivity(context, FN.stopJob, {
            instance: jobId,
            invocation: jobInput(input, tryNumber).invocation,
          });
        }
        const message = `try ${tryNumber} exceeded execution_timeout (${task.execution_timeout_s}s)`;
        return { ok: false, error: { name: TIMEOUT_ERROR, message } };
      }
    } catch (e) {
      // The job orchestration itself failed (a bug, not a job outcome): the try fails, not the run.
      return { ok: false, error: { name: 'OrchestrationFailed', message: (e as Error).message } };
    }
    deadline?.cancel();
    if (work.isFaulted)
      return { ok: false, error: { name: 'OrchestrationFailed', message: String(work.result) } };
  }
  if (input.simulate) {
    return input.simulate.fail
      ? { ok: false, error: { name: 'JobFailed', message: `simulated failure of ${task.task_id}` } }
      : { ok: true, output: {} };
  }
  return work!.result as TryResult;
}

function jobInput(input: TaskInput, tryNumber: number): JobInput {
  return {
    invocation: { task: input.spec, run: input.run, upstream: input.upstream, try_number: tryNumber },
    job: null,
    poll_interval_s: input.task.poke_interval_s ?? 0,
    max_poll_interval_s: input.task.max_poke_interval_s,
    polls_before: 0,
  };
}
