import { describe, expect, it } from 'vitest';
import type { WeightRule } from '../../src/dag/vocabulary.ts';
import type { WeightInput } from '../../src/semantics/priority.ts';
import { effectiveWeights } from '../../src/semantics/priority.ts';
import { prng } from '../compiler/aws/random-dags.ts';

/** Airflow's definition, walked naively: own weight plus the own weights of distinct relatives. */
function naive(tasks: readonly WeightInput[]): number[] {
  const down = tasks.map((): number[] => []);
  tasks.forEach((t, i) => t.upstream.forEach((u) => down[u]!.push(i)));
  const relatives = (i: number, next: (j: number) => readonly number[]): Set<number> => {
    const seen = new Set<number>();
    const stack = [i];
    while (stack.length > 0) {
      for (const j of next(stack.pop()!)) {
        if (seen.has(j)) continue;
        seen.add(j);
        stack.push(j);
      }
    }
    return seen;
  };
  return tasks.map((t, i) => {
    if (t.weight_rule === 'absolute') return t.priority_weight;
    const set = relatives(i, t.weight_rule === 'downstream' ? (j) => down[j]! : (j) => tasks[j]!.upstream);
    return t.priority_weight + [...set].reduce((s, j) => s + tasks[j]!.priority_weight, 0);
  });
}

const RULES: WeightRule[] = ['downstream', 'upstream', 'absolute'];

describe('effective priority weights (Airflow weight_rule)', () => {
  it('sums own and relatives on a diamond', () => {
    const diamond = [[], [0], [0], [1, 2]].map((upstream) => ({
      priority_weight: 1,
      weight_rule: 'downstream' as WeightRule,
      upstream,
    }));
    expect(effectiveWeights(diamond)).toEqual([4, 2, 2, 1]);
    expect(effectiveWeights(diamond.map((t) => ({ ...t, weight_rule: 'upstream' })))).toEqual([1, 2, 2, 4]);
  });

  it('equals the naive definition on random DAGs, mixed rules and weights, across word boundaries', () => {
    const random = prng(7);
    for (const n of [1, 5, 31, 32, 33, 70, 140]) {
      for (const uniform of [true, false]) {
        const tasks: WeightInput[] = Array.from({ length: n }, (_, j) => ({
          priority_weight: uniform ? 3 : Math.floor(random() * 10) - 2,
          weight_rule: RULES[Math.floor(random() * 3)]!,
          upstream: Array.from({ length: j }, (_, i) => i).filter(() => random() < 0.08),
        }));
        expect(effectiveWeights(tasks), `n=${n}`).toEqual(naive(tasks));
      }
    }
  });
});
