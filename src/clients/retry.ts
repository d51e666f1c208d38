import { isAirlessError } from '../errors.ts';

export interface RetryPolicy {
  attempts: number;
  /** Longest wait honoured from a service's Retry-After; longer hints end the call with the error. */
  retryAfterCapSeconds: number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (error: Error, attempt: number, waitMs: number) => void;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` again on Throttled, ServiceUnavailable and NetworkError, waiting for the service's
 * Retry-After (when it fits the cap) or a short exponential backoff. `fn` must be safe to repeat:
 * the job handlers pass a whole look-up-then-act step, never a bare non-idempotent POST.
 */
export async function withTransientRetry<T>(fn: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  const sleep = policy.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isAirlessError(error) || !error.transient || attempt >= policy.attempts) throw error;
      const hint = error.retryAfterSeconds;
      if (hint !== undefined && hint > policy.retryAfterCapSeconds) throw error;
      const waitMs = hint !== undefined ? hint * 1000 : Math.min(5000, 200 * 2 ** (attempt - 1));
      policy.onRetry?.(error, attempt, waitMs);
      await sleep(waitMs);
    }
  }
}
