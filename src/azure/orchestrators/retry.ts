import { TASK_RETRYABLE_ERRORS } from '../../errors.ts';

/** The error name a try that outlived execution_timeout fails with (the same name ASL uses). */
export const TIMEOUT_ERROR = 'States.Timeout';

/** Whether a failed try with this error name consumes one of the task's `retries`. */
export const isTaskRetryable = (errorName: string): boolean => TASK_RETRYABLE_ERRORS.includes(errorName);

/** Delay before the next poll of a job: poke_interval doubling up to max_poke_interval. */
export function nextPollSeconds(current: number, max: number | null): number {
  const doubled = current * 2;
  return max === null ? doubled : Math.min(doubled, max);
}
