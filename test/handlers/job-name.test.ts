import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JOB_NAME_MAX, jobNameFor, stableHexId } from '../../src/handlers/job-name.ts';
import type { TaskInvocation } from '../../src/handlers/contract.ts';
import { invocation } from './fixtures.ts';

const inv = (
  tryNumber = 1,
  runId = 'manual__2026-11-21T10:00:00+00:00',
  taskId = 'submit_job',
  dagId = 'd',
) => {
  const base = invocation({ operator: 'genie', config: {}, task_id: taskId });
  return {
    ...base,
    try_number: tryNumber,
    run: { ...base.run, dag_id: dagId, run_id: runId },
  } as TaskInvocation;
};

/** What every service takes: HDInsight (lowercase, digits, '-'), Genie ids, the Flink JobID seed. */
const VALID = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

describe('job names', () => {
  it('default: dag-task-run, lowercase [a-z0-9-], with a hash of the exact ids', () => {
    expect(jobNameFor(inv(), undefined, true)).toMatch(
      /^d-submit-job-manual-2026-11-21t10-00-00-00-00-[0-9a-f]{10}$/,
    );
  });

  it('tasks load_data / load-data and runs Backfill.1 / backfill-1 get different jobs', () => {
    expect(jobNameFor(inv(1, 'r1', 'load_data'), undefined, true)).not.toBe(
      jobNameFor(inv(1, 'r1', 'load-data'), undefined, true),
    );
    expect(jobNameFor(inv(1, 'Backfill.1'), undefined, true)).not.toBe(
      jobNameFor(inv(1, 'backfill-1'), undefined, true),
    );
    expect(jobNameFor(inv(1, 'Backfill.1'), 'wc-Backfill.1', true)).not.toBe(
      jobNameFor(inv(1, 'backfill-1'), 'wc-backfill-1', true),
    );
    // dag/task/run boundaries are part of the identity: 'a-b' + 'c' is not 'a' + 'b-c'.
    expect(jobNameFor(inv(1, 'r', 'c', 'a-b'), undefined, true)).not.toBe(
      jobNameFor(inv(1, 'r', 'b-c', 'a'), undefined, true),
    );
  });

  it('a valid rendered job_name is used as written, so other tasks (and jobs made elsewhere) are found by it', () => {
    expect(jobNameFor(inv(1, 'r1', 'stop'), 'orders-agg', false)).toBe('orders-agg');
    expect(jobNameFor(inv(1, 'r1', 'start'), 'orders-agg', true)).toBe('orders-agg');
  });

  it('a job-starting try N > 1 gets its own name; acting on an existing job keeps the name', () => {
    const retry = jobNameFor(inv(3), 'wc-x', true);
    expect(retry).toMatch(/^wc-x-try3-[0-9a-f]{10}$/);
    expect(retry).not.toBe(jobNameFor(inv(1), 'wc-x-try3', true));
    expect(jobNameFor(inv(3), 'wc-x', false)).toBe('wc-x');
  });

  it('the same invocation always gives the same name (a retried submit finds its job)', () => {
    expect(jobNameFor(inv(2, 'Backfill.1'), undefined, true)).toBe(
      jobNameFor(inv(2, 'Backfill.1'), undefined, true),
    );
    expect(jobNameFor(inv(1, 'R'), 'Wc_{x}', true)).toBe(jobNameFor(inv(1, 'R'), 'Wc_{x}', true));
  });

  it('long names are cut to the limit, keeping the hash', () => {
    const a = jobNameFor(inv(1, 'r'.repeat(80) + 'a'), undefined, true);
    const b = jobNameFor(inv(1, 'r'.repeat(80) + 'b'), undefined, true);
    expect(a).toHaveLength(JOB_NAME_MAX);
    expect(a).not.toBe(b);
    expect(jobNameFor(inv(1, 'r'.repeat(80) + 'a'), undefined, true)).toBe(a);
    expect(jobNameFor(inv(1), 'x'.repeat(JOB_NAME_MAX + 1), true)).toHaveLength(JOB_NAME_MAX);
  });

  it('distinct (dag, run, task, try) and distinct job_names never share a name; every name is valid', () => {
    // Ids drawn from a tiny alphabet with case and punctuation, so normalisation collapses many of them.
    const id = fc.string({
      unit: fc.constantFrom('a', 'A', 'b', '_', '-', '.', ':', '+', '~', '1', 'é'),
      minLength: 1,
      maxLength: 8,
    });
    const tuple = fc.record({
      dag: fc.constantFrom('d', 'd_1', 'd-1'),
      run: id,
      task: id,
      try_number: fc.integer({ min: 1, max: 4 }),
      job_name: fc.option(
        fc.string({ unit: fc.constantFrom('a', 'A', '-', '_', 'x', '9', '.'), maxLength: 70 }),
        { nil: undefined },
      ),
    });
    const samples = fc.sample(tuple, { numRuns: 20_000, seed: 42 });
    const seen = new Map<string, string>();
    for (const t of samples) {
      const job_name = t.job_name === '' ? undefined : t.job_name;
      // A job_name names the job whatever task or run renders it: only the text (and try) count.
      const key = JSON.stringify(
        job_name === undefined
          ? ['default', t.dag, t.run, t.task, t.try_number]
          : ['named', job_name, t.try_number],
      );
      const name = jobNameFor(inv(t.try_number, t.run, t.task, t.dag), job_name, true);
      if (!VALID.test(name) || name.length > JOB_NAME_MAX) throw new Error(`invalid name ${name}`);
      const other = seen.get(name);
      if (other !== undefined && other !== key) throw new Error(`${other} and ${key} both give ${name}`);
      seen.set(name, key);
    }
    expect(seen.size).toBeGreaterThan(10_000);
  });

  it('stable 32-hex ids', () => {
    expect(stableHexId('a', 'b')).toMatch(/^[0-9a-f]{32}$/);
    expect(stableHexId('a', 'b')).toBe(stableHexId('a', 'b'));
    expect(stableHexId('a', 'b')).not.toBe(stableHexId('ab'));
  });
});
