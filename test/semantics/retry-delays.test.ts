import { describe, expect, it } from 'vitest';
import { retryDelays } from '../../src/compiler/aws/retry-delays.ts';
import { retryDelaySeconds } from '../../src/semantics/retry-delays.ts';

const task = (
  retry_delay_s: number,
  retry_exponential_backoff: boolean,
  max_retry_delay_s: number | null,
) => ({
  retry_delay_s,
  retry_exponential_backoff,
  max_retry_delay_s,
  retries: 6,
});

describe("Airflow's wait before a retry (TaskInstance.next_retry_datetime, without its hash jitter)", () => {
  it('a fixed delay waits retry_delay before every try, capped by max_retry_delay', () => {
    expect([2, 3, 4].map((n) => retryDelaySeconds(task(300, false, null), n))).toEqual([300, 300, 300]);
    expect(retryDelaySeconds(task(300, false, 60), 2)).toBe(60);
    expect(retryDelaySeconds(task(0, false, null), 2)).toBe(0);
  });

  it('exponential backoff doubles per try from whole seconds, never under one second', () => {
    expect([2, 3, 4, 5].map((n) => retryDelaySeconds(task(10, true, null), n))).toEqual([10, 20, 40, 80]);
    expect([2, 3, 4].map((n) => retryDelaySeconds(task(10, true, 25), n))).toEqual([10, 20, 25]);
    // min_backoff = ceil(delay * 2 ** (try - 2)), and at least 1.
    expect([2, 3, 4].map((n) => retryDelaySeconds(task(0, true, null), n))).toEqual([1, 1, 1]);
    expect([2, 3].map((n) => retryDelaySeconds(task(0.3, true, null), n))).toEqual([1, 1]);
  });

  it('the ASL waits are the same delays, in the whole seconds Step Functions counts', () => {
    for (const t of [task(10, true, null), task(10, true, 25), task(300, false, 60), task(0, true, null)])
      expect(retryDelays(t)).toEqual(
        Array.from({ length: t.retries }, (_, k) => Math.max(1, Math.ceil(retryDelaySeconds(t, k + 2)))),
      );
  });
});
