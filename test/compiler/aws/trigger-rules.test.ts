import { describe, expect, it } from 'vitest';
import type { FinalTaskState } from '../../../src/compiler/ir.ts';
import type { TriggerRule } from '../../../src/dag/vocabulary.ts';
import { TRIGGER_RULES } from '../../../src/dag/vocabulary.ts';
import { simulateChecked } from './checked-simulation.ts';
import { referenceRun } from './airflow-reference.ts';
import type { TaskSketch } from './plan-fixture.ts';
import { planOf } from './plan-fixture.ts';
import { prng, randomDag } from './random-dags.ts';

/**
 * Every trigger rule against every multiset of 1..3 upstream final states, run through the compiled
 * ASL in aws-local-stepfunctions, checked against the reference evaluator. Upstreams end in each
 * state by construction: success (plain), failed (--fail), skipped (all_failed after a success),
 * upstream_failed (all_success after a failure).
 */
const STATES: FinalTaskState[] = ['success', 'failed', 'skipped', 'upstream_failed'];

function multisets(k: number, from = 0): FinalTaskState[][] {
  if (k === 0) return [[]];
  return STATES.slice(from).flatMap((s, i) => multisets(k - 1, from + i).map((rest) => [s, ...rest]));
}

/** Three upstream tasks per final state, shared by one target task per pattern. */
function gadgets(rule: TriggerRule): {
  tasks: Record<string, TaskSketch>;
  fail: Set<string>;
  expected: Map<string, FinalTaskState[]>;
} {
  const tasks: Record<string, TaskSketch> = { ok: { op: 'empty' }, bad: { op: 'empty' } };
  const fail = new Set(['bad']);
  for (let i = 0; i < 3; i++) {
    tasks[`success_${i}`] = { op: 'empty' };
    tasks[`failed_${i}`] = { op: 'empty' };
    fail.add(`failed_${i}`);
    tasks[`skipped_${i}`] = { op: 'empty', up: ['ok'], rule: 'all_failed' };
    tasks[`upstream_failed_${i}`] = { op: 'empty', up: ['bad'], rule: 'all_success' };
  }
  const expected = new Map<string, FinalTaskState[]>();
  let g = 0;
  for (const k of [1, 2, 3]) {
    for (const pattern of multisets(k)) {
      const target = `g${g++}`;
      const used = new Map<FinalTaskState, number>();
      const up = pattern.map((state) => {
        const n = used.get(state) ?? 0;
        used.set(state, n + 1);
        return `${state}_${n}`;
      });
      tasks[target] = { op: 'empty', up, rule };
      expected.set(target, pattern);
    }
  }
  return { tasks, fail, expected };
}

describe('trigger rules in the compiled ASL', () => {
  it.each(TRIGGER_RULES)('%s decides like Airflow for every pattern of 1-3 upstream states', async (rule) => {
    const { tasks, fail, expected } = gadgets(rule);
    const plan = planOf(tasks, { max_active_tasks: 1000 });
    const trace = await simulateChecked(plan, { fail: [...fail] });
    const reference = referenceRun(tasks, plan.graph.topological_order, fail);
    for (const state of STATES) expect(trace.tasks[`${state}_2`]!.state).toBe(state);
    for (const [target, pattern] of expected) {
      expect({ target, pattern, state: trace.tasks[target]!.state }).toEqual({
        target,
        pattern,
        state: reference.tasks[target],
      });
    }
  });
});

describe('random DAGs with random rules and failures', () => {
  const random = prng(7);
  const cases = Array.from({ length: 12 }, (_, i) => {
    const tasks = randomDag(random, 6 + Math.floor(random() * 14), 0.25);
    for (const t of Object.values(tasks)) {
      t.rule = TRIGGER_RULES[Math.floor(random() * TRIGGER_RULES.length)]!;
      if (random() < 0.3) t.op = 'empty';
      t.retries = random() < 0.3 ? 1 : 0;
    }
    const ids = Object.keys(tasks);
    const fail = ids.filter(() => random() < 0.2);
    return { name: `case ${i}: ${ids.length} tasks, failing ${fail.join(',') || 'none'}`, tasks, fail };
  });

  it.each(cases)(
    '$name: final states match the reference; no task starts before its upstreams end',
    async ({ tasks, fail }) => {
      const cap = 3;
      const plan = planOf(tasks, { max_active_tasks: cap });
      const trace = await simulateChecked(plan, { fail });
      const reference = referenceRun(tasks, plan.graph.topological_order, new Set(fail));
      expect(Object.fromEntries(Object.entries(trace.tasks).map(([id, t]) => [id, t.state]))).toEqual(
        reference.tasks,
      );
      expect(trace.state).toBe(reference.run);
      // A one_* rule may start at its first qualifying upstream, `always` at once; the rest wait for all.
      const early = new Set(['one_success', 'one_failed', 'one_done', 'always']);
      for (const [id, t] of Object.entries(trace.tasks)) {
        if (t.start_s === null || early.has(tasks[id]!.rule ?? 'all_success')) continue;
        for (const u of tasks[id]!.up ?? []) {
          const end = trace.tasks[u]!.end_s;
          if (end !== null) expect(t.start_s).toBeGreaterThanOrEqual(end);
        }
      }
      // Empty tasks take no slot (as Airflow's EmptyOperator).
      const ran = Object.entries(trace.tasks)
        .filter(([id, t]) => tasks[id]!.op !== 'empty' && t.start_s !== null && t.end_s! > t.start_s!)
        .map(([, t]) => t);
      for (const t of ran) {
        const overlapping = ran.filter((o) => o.start_s! <= t.start_s! && o.end_s! > t.start_s!).length;
        expect(overlapping).toBeLessThanOrEqual(cap);
      }
    },
  );
});
