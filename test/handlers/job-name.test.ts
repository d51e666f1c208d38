import { describe, expect, it } from 'vitest';
import { jobNameFor, stableHexId } from '../../src/handlers/job-name.ts';
import { invocation } from './fixtures.ts';

const inv = (tryNumber = 1, runId = 'manual__2026-11-21T10:00:00+00:00') =>
  invocation(
    { operator: 'genie', config: {} },
    { try_number: tryNumber, run: { ...invocation({ operator: 'genie', config: {} }).run, run_id: runId } },
  );

describe('job names', () => {
  it('default: dag-task-run, lowercase [a-z0-9-]', () => {
    expect(jobNameFor(inv(), undefined, true)).toBe(
      'handlers-test-submit-job-manual-2026-11-21t10-00-00-00-00',
    );
  });
  it('a job-starting try N > 1 gets -tryN; acting on an existing job keeps the name', () => {
    expect(jobNameFor(inv(3), 'wc-x', true)).toBe('wc-x-try3');
    expect(jobNameFor(inv(3), 'wc-x', false)).toBe('wc-x');
  });
  it('long names are cut to 63 characters with a hash that keeps them distinct', () => {
    const a = jobNameFor(inv(1, 'r'.repeat(80) + 'a'), undefined, true);
    const b = jobNameFor(inv(1, 'r'.repeat(80) + 'b'), undefined, true);
    expect(a).toHaveLength(63);
    expect(a).not.toBe(b);
    expect(jobNameFor(inv(1, 'r'.repeat(80) + 'a'), undefined, true)).toBe(a);
  });
  it('stable 32-hex ids', () => {
    expect(stableHexId('a', 'b')).toMatch(/^[0-9a-f]{32}$/);
    expect(stableHexId('a', 'b')).toBe(stableHexId('a', 'b'));
    expect(stableHexId('a', 'b')).not.toBe(stableHexId('ab'));
  });
});
