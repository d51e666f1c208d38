import type { OrchestrationContext, Task } from 'durable-functions';

/** Attempts of an infrastructure activity (start tasks, notify, stop a job) before giving up. */
export const INFRA_ATTEMPTS = 8;
/** Longest wait between two attempts, seconds. */
const INFRA_MAX_DELAY_S = 60;

/**
 * Calls one of airless's own activities (those that talk to the Durable extension, not to a job
 * service), retrying a failure after 1, 2, 4, ... s (at most a minute apart, about two minutes in
 * all): a lost notification would leave its run waiting forever. The retries are plain activity calls and durable timers, deterministic under replay.
 */
export function* callInfraActivity(
  context: OrchestrationContext,
  name: string,
  input: unknown,
): Generator<Task, unknown, unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      return yield context.df.callActivity(name, input);
    } catch (e) {
      if (attempt >= INFRA_ATTEMPTS) throw e;
      const delay = Math.min(2 ** (attempt - 1), INFRA_MAX_DELAY_S);
      const at = context.df.currentUtcDateTime.getTime() + delay * 1000;
      yield context.df.createTimer(new Date(at));
    }
  }
}
