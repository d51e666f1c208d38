import type { TaskIR } from '../../ir.ts';

/**
 * Airflow's wait before each retry, in whole seconds (Step Functions' unit): retry_delay, doubled per
 * try with retry_exponential_backoff, capped by max_retry_delay. Index k is the wait after try k+1.
 * The compiled ASL applies full jitter to the exponential form, so these are upper bounds there.
 */
export function retryDelays(task: TaskIR): number[] {
  const base = Math.max(1, Math.ceil(task.retry_delay_s));
  const cap = task.max_retry_delay_s === null ? Infinity : Math.max(1, Math.ceil(task.max_retry_delay_s));
  return Array.from({ length: task.retries }, (_, k) =>
    Math.min(task.retry_exponential_backoff ? base * 2 ** k : base, cap),
  );
}
