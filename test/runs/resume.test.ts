import { describe, expect, it } from 'vitest';
import type { TaskInstanceRecord, TaskInstanceState } from '../../src/runs/api/backend.ts';
import { resumeFrom } from '../../src/runs/resume.ts';
import { planOf } from '../compiler/aws/plan-fixture.ts';

const plan = planOf({
  a: {},
  b: { up: ['a'] },
  c: { up: ['b'] },
  d: { up: ['a'], rule: 'all_done' },
  e: { up: ['a'] },
  f: { up: ['a'] },
});

const ti = (
  task_id: string,
  state: TaskInstanceState,
  try_number: number,
  outputs: Record<string, unknown> | null = null,
): TaskInstanceRecord => ({
  task_id,
  state,
  try_number,
  start_date: null,
  end_date: null,
  tries: [],
  outputs,
});

describe('resumeFrom', () => {
  const tis = [
    ti('a', 'success', 1, { job_id: 'j-a' }),
    ti('b', 'failed', 3),
    ti('c', 'upstream_failed', 0),
    ti('d', 'skipped', 0),
    ti('e', 'running', 2),
    ti('f', 'up_for_retry', 1),
  ];

  it('keeps every final task not cleared, with its try number and outputs', () => {
    const r = resumeFrom(plan, tis, new Set(['b', 'c']));
    expect(r.prior).toEqual({
      a: { state: 'success', try_number: 1, outputs: { job_id: 'j-a' } },
      d: { state: 'skipped', try_number: 0, outputs: null },
    });
  });

  it('a cleared task continues from its try number; an in-flight try not cleared runs again', () => {
    const r = resumeFrom(plan, tis, new Set(['b', 'c']));
    expect(r.try_base).toEqual({ a: 1, b: 3, c: 0, d: 0, e: 1, f: 1 });
  });

  it('a cleared in-flight task starts a new try', () => {
    expect(resumeFrom(plan, tis, new Set(['e'])).try_base.e).toBe(2);
  });

  it('a task without a record starts from try 1; clearing everything keeps nothing', () => {
    const r = resumeFrom(plan, [ti('a', 'success', 1)], new Set(plan.tasks.map((t) => t.task_id)));
    expect(r.prior).toEqual({});
    expect(r.try_base).toEqual({ a: 1, b: 0, c: 0, d: 0, e: 0, f: 0 });
  });
});
