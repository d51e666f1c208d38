import { describe, expect, it } from 'vitest';
import { runInstanceId } from '../../src/azure/contract.ts';

describe('run instance ids', () => {
  it('derive from dag_id and run id; scheduled runs are dag_id@logical_date', () => {
    expect(runInstanceId('d', 'manual__2026-01-01T00:00:00+00:00')).toBe(
      'd:manual__2026-01-01T00:00:00+00:00',
    );
    expect(runInstanceId('d', 'scheduled__2026-01-01T03:00:00+00:00')).toBe('d@2026-01-01T03:00:00+00:00');
  });

  it('never hold characters Durable refuses, and distinct run ids stay distinct', () => {
    const a = runInstanceId('d', 'run#1?x');
    const b = runInstanceId('d', 'run?1#x');
    expect(a).toMatch(/^d:run_1_x-[0-9a-f]{12}$/);
    expect(b).not.toBe(a);
    expect(runInstanceId('d', 'run#1?x')).toBe(a);
  });
});
