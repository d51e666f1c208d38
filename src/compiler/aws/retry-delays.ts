import type { TaskIR } from '../ir.ts';
import { type RetryTiming, retryDelaySeconds } from '../../semantics/retry-delays.ts';

/**
 * Airflow's wait before each retry in whole seconds, Step Functions' unit (at least one). Index k is
 * the wait after try k+1. The compiled ASL applies full jitter to the exponential form, so these are
 * upper bounds there.
 */
export function retryDelays(task: RetryTiming & Pick<TaskIR, 'retries'>): number[] {
  return Array.from({ length: task.retries }, (_, k) =>
    Math.max(1, Math.ceil(retryDelaySeconds(task, k + 2))),
  );
}
