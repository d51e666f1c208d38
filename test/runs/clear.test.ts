import type { PlanIR } from '../../src/compiler/ir.ts';
import { describe, expect, it } from 'vitest';
import type { TaskInstanceRecord, TaskInstanceState } from '../../src/runs/api/backend.ts';
import { selectCleared } from '../../src/runs/clear.ts';
import { planOf } from '../compiler/aws/plan-fixture.ts';

// a -> b -> c -> d, a -> e, b -> f
const plan = planOf({
  a: {},
  b: { up: ['a'] },
  c: { up: ['b'] },
  d: { up: ['c'] },
  e: { up: ['a'] },
  f: { up: ['b'], rule: 'all_done' },
});

const tis = (states: Record<string, TaskInstanceState>): TaskInstanceRecord[] =>
  Object.entries(states).map(([task_id, state]) => ({
    task_id,
    state,
    try_number: state === null ? 0 : 1,
    start_date: null,
    end_date: null,
    tries: [],
    outputs: null,
  }));

const run = tis({
  a: 'success',
  b: 'failed',
  c: 'upstream_failed',
  d: 'upstream_failed',
  e: 'success',
  f: 'success',
});
const none = { only_failed: false, include_downstream: false, include_upstream: false };

describe('selectCleared (Airflow clearTaskInstances)', () => {
  it('task_ids null selects every task, in topological order', () => {
    expect(selectCleared(plan, run, { ...none, task_ids: null })).toEqual(plan.tasks.map((t) => t.task_id));
  });

  it('only_failed keeps failed and upstream_failed', () => {
    expect(selectCleared(plan, run, { ...none, task_ids: null, only_failed: true })).toEqual(['b', 'c', 'd']);
  });

  it('named tasks alone', () => {
    expect(selectCleared(plan, run, { ...none, task_ids: ['c', 'a'] })).toEqual(['a', 'c']);
  });

  it('include_downstream adds the transitive downstream', () => {
    expect(selectCleared(plan, run, { ...none, task_ids: ['b'], include_downstream: true })).toEqual([
      'b',
      'c',
      'd',
      'f',
    ]);
  });

  it('include_upstream adds the transitive upstream', () => {
    expect(selectCleared(plan, run, { ...none, task_ids: ['d'], include_upstream: true })).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });

  it('both directions', () => {
    expect(
      selectCleared(plan, run, {
        ...none,
        task_ids: ['c'],
        include_upstream: true,
        include_downstream: true,
      }),
    ).toEqual(['a', 'b', 'c', 'd']);
  });

  it('only_failed filters after the relatives are added (the downstream that ran under all_done stays)', () => {
    expect(
      selectCleared(plan, run, {
        task_ids: ['b'],
        only_failed: true,
        include_downstream: true,
        include_upstream: true,
      }),
    ).toEqual(['b', 'c', 'd']);
  });

  it('only_failed over a successful task selects nothing', () => {
    expect(selectCleared(plan, run, { ...none, task_ids: ['a'], only_failed: true })).toEqual([]);
  });

  it('unknown ids are ignored; a task without an instance record is not failed', () => {
    expect(selectCleared(plan, run, { ...none, task_ids: ['nope', 'e'] })).toEqual(['e']);
    expect(selectCleared(plan, [], { ...none, task_ids: null, only_failed: true })).toEqual([]);
  });

  it('is linear: a long chain with include_downstream from its root', () => {
    // Built by hand: the fixture's planOf is quadratic. selectCleared reads ids and edges only.
    const n = 50_000;
    const tasks = Array.from({ length: n }, (_, i) => ({
      ...plan.tasks[0]!,
      task_id: `t${i}`,
      upstream: i === 0 ? [] : [`t${i - 1}`],
      downstream: i === n - 1 ? [] : [`t${i + 1}`],
    }));
    const chain: PlanIR = { ...plan, tasks };
    expect(selectCleared(chain, [], { ...none, task_ids: ['t0'], include_downstream: true })).toHaveLength(n);
    expect(
      selectCleared(chain, [], { ...none, task_ids: [`t${n - 1}`], include_upstream: true }),
    ).toHaveLength(n);
  });
});
