import { describe, expect, it } from 'vitest';
import { executionInputOf } from '../../src/aws/execution-input.ts';
import { planOf } from '../compiler/aws/plan-fixture.ts';

describe('executionInputOf', () => {
  const plan = planOf({ a: {}, b: { up: ['a'], reads: ['a'] }, c: { up: ['b'] } });
  const run = {
    dag_id: plan.dag_id,
    run_id: 'r1',
    logical_date: '2026-01-01T00:00:00Z',
    conf: {},
    params: {},
  };

  it('is {run} for a first run', () => {
    expect(executionInputOf(plan, run)).toEqual({ run });
  });

  it('keeps only the output fields templates read, never null, a try base for every task, no unknown ids', () => {
    const field = plan.tasks.find((t) => t.task_id === 'b')!.reads[0]!.field;
    const input = executionInputOf(plan, run, {
      prior: {
        a: { state: 'success', try_number: 2, outputs: { [field]: 'x', other: 'y'.repeat(10_000) } },
        b: { state: 'failed', try_number: 1, outputs: null },
        zz: { state: 'success', try_number: 1, outputs: {} },
      },
      try_base: { c: 3, zz: 9 },
    });
    expect(input.resume).toEqual({
      prior: {
        a: { state: 'success', try_number: 2, outputs: { [field]: 'x' } },
        b: { state: 'failed', try_number: 1, outputs: {} },
      },
      try_base: { a: 0, b: 0, c: 3 },
    });
  });
});
