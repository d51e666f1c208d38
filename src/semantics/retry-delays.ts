import type { TaskIR } from '../compiler/ir.ts';

export type RetryTiming = Pick<TaskIR, 'retry_delay_s' | 'retry_exponential_backoff' | 'max_retry_delay_s'>;

/**
 * Seconds to wait before try `nextTry` (2, 3, ...), as Airflow's TaskInstance.next_retry_datetime:
 * retry_delay; with retry_exponential_backoff ceil(retry_delay * 2^(nextTry - 2)) and at least one
 * second; capped by max_retry_delay. Airflow's hash jitter is left out: a Durable orchestrator must
 * be deterministic under replay, and the ASL draws its own full jitter from these bounds.
 */
export function retryDelaySeconds(task: RetryTiming, nextTry: number): number {
  const base = task.retry_delay_s;
  const raw = task.retry_exponential_backoff ? Math.max(1, Math.ceil(base * 2 ** (nextTry - 2))) : base;
  return task.max_retry_delay_s === null ? raw : Math.min(raw, task.max_retry_delay_s);
}
