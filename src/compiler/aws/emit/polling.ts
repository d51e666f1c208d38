import { CompileRefusal } from '../../compile-refusal.ts';
import type { TaskIR } from '../../ir.ts';

/**
 * Polling a job is a Task that throws StillRunning until the job reaches `wait_for`, retried by a
 * Retry on that name: one state transition per poll. The first poll runs right after the submit; the
 * next waits poke_interval, doubling up to max_poke_interval. The number of polls is bounded so that
 * their waits cover execution_timeout and no more: running out of polls ends the try as timed out.
 */
export interface PollSchedule {
  interval_s: number;
  backoff_rate: number;
  max_delay_s: number;
  /** Retries of the poll within one try (the polls after the first). */
  max_retries: number;
}

export class PollingUnboundedError extends CompileRefusal {
  constructor(taskId: string) {
    super(
      `task ${taskId}: a job task needs execution_timeout (on the task or in default_args) so that its polling ` +
        'is bounded and the execution history provably stays under 25,000 events',
    );
    this.name = 'PollingUnboundedError';
  }
}

export function pollSchedule(task: TaskIR): PollSchedule {
  if (task.execution_timeout_s === null) throw new PollingUnboundedError(task.task_id);
  const interval = Math.max(1, Math.ceil(task.poke_interval_s ?? 60));
  const maxDelay = Math.max(interval, Math.ceil(task.max_poke_interval_s ?? interval));
  const backoff = maxDelay > interval ? 2 : 1;
  const delays = pollDelays({ interval_s: interval, backoff_rate: backoff, max_delay_s: maxDelay });
  let waited = 0;
  let retries = 0;
  while (waited < task.execution_timeout_s) {
    waited += delays(retries);
    retries++;
  }
  return { interval_s: interval, backoff_rate: backoff, max_delay_s: maxDelay, max_retries: retries };
}

/** The wait before poll retry k (0-based), as Step Functions computes it without jitter. */
export const pollDelays =
  (s: Pick<PollSchedule, 'interval_s' | 'backoff_rate' | 'max_delay_s'>) =>
  (k: number): number =>
    Math.min(s.interval_s * s.backoff_rate ** k, s.max_delay_s);

/** When a job task's poll number `polls` (0-based) is made, for a try started at `start_s`. */
export function pollTime(task: TaskIR, start_s: number, polls: number): number {
  const delay = pollDelays(pollSchedule(task));
  let at = start_s;
  for (let k = 0; k < polls; k++) at += delay(k);
  return at;
}
