import type { TaskIR } from '../../compiler/ir.ts';
import { TASK_RETRYABLE_ERRORS } from '../../errors.ts';

/** The error name a try that outlived execution_timeout fails with (the same name ASL uses). */
export const TIMEOUT_ERROR = 'States.Timeout';

/** Whether a failed try with this error name consumes one of the task's `retries`. */
export const isTaskRetryable = (errorName: string): boolean => TASK_RETRYABLE_ERRORS.includes(errorName);

/**
 * Seconds to wait before try `nextTry` (2, 3, ...): retry_delay, doubled per retry when
 * retry_exponential_backoff is set, capped by max_retry_delay. No jitter: an orchestrator must be
 * deterministic under replay, and Airflow's own jitter is a deterministic hash as well.
 */
export function retryDelaySeconds(
  task: Pick<TaskIR, 'retry_delay_s' | 'retry_exponential_backoff' | 'max_retry_delay_s'>,
  nextTry: number,
): number {
  const base = task.retry_delay_s;
  const raw = task.retry_exponential_backoff ? base * 2 ** (nextTry - 2) : base;
  return task.max_retry_delay_s === null ? raw : Math.min(raw, task.max_retry_delay_s);
}

/** Delay before the next poll of a job: poke_interval doubling up to max_poke_interval. */
export function nextPollSeconds(current: number, max: number | null): number {
  const doubled = current * 2;
  return max === null ? doubled : Math.min(doubled, max);
}
