import { describe, expect, it } from 'vitest';
import { limitWidth } from '../../../src/compiler/aws/lanes.ts';
import type { SpNode } from '../../../src/compiler/aws/sp-tree.ts';
import { criticalSeconds, taskIds, width } from '../../../src/compiler/aws/sp-tree.ts';
import { planStructure } from '../../../src/compiler/aws/structure.ts';
import type { TaskSketch } from './plan-fixture.ts';
import { planOf } from './plan-fixture.ts';
import { prng, randomDag, randomSpDag } from './random-dags.ts';

/** Whether the tree runs `before` ahead of `after`: their lowest common node is a series, in that order. */
function ordered(tree: SpNode, before: string, after: string): boolean {
  const path = (node: SpNode, id: string): Array<[SpNode, number]> | null => {
    if (node.kind === 'task') return node.id === id ? [] : null;
    for (const [i, child] of node.children.entries()) {
      const rest = path(child, id);
      if (rest) return [[node, i], ...rest];
    }
    return null;
  };
  const a = path(tree, before)!;
  const b = path(tree, after)!;
  let k = 0;
  while (a[k]![1] === b[k]![1]) k++;
  return a[k]![0].kind === 'series' && a[k]![1] < b[k]![1];
}

function checkTree(tree: SpNode, tasks: Record<string, { up?: string[] }>): void {
  expect(taskIds(tree).sort()).toEqual(Object.keys(tasks).sort());
  for (const [id, t] of Object.entries(tasks))
    for (const u of t.up ?? []) expect(ordered(tree, u, id)).toBe(true);
}

describe('series-parallel structure', () => {
  it('compiles series-parallel DAGs exactly: no added ordering, the true critical path', () => {
    const random = prng(1);
    for (let k = 0; k < 60; k++) {
      const tasks = randomSpDag(random, 2 + Math.floor(random() * 30));
      const plan = planOf(tasks, { max_active_tasks: 1000 });
      const s = planStructure(plan);
      expect(s.added).toEqual([]);
      expect(s.compiled_critical_s).toBe(s.true_critical_s);
      checkTree(s.tree, tasks);
    }
  });

  it('orders an N (a->c, a->d, b->d) by the cheaper added ordering and reports it', () => {
    const tasks: Record<string, TaskSketch> = {
      a: { dur: 10 },
      b: { dur: 100 },
      c: { up: ['a'], dur: 100 },
      d: { up: ['a', 'b'], dur: 10 },
    };
    const s = planStructure(planOf(tasks));
    checkTree(s.tree, tasks);
    // a || b then c || d costs 200; a then (b->d || c) costs 120; true critical path is 110.
    expect(s.added).toEqual([{ before: 'a', after: 'b' }]);
    expect(s.compiled_critical_s).toBe(120);
    expect(s.slowdown).toBeCloseTo(120 / 110);
  });

  it('keeps the slowdown on random non-series-parallel DAGs within 1.05 on average and 4/3 at worst', () => {
    const random = prng(42);
    const slowdowns: number[] = [];
    while (slowdowns.length < 120) {
      const tasks = randomDag(random, 6 + Math.floor(random() * 34), 0.05 + random() * 0.3);
      const s = planStructure(planOf(tasks, { max_active_tasks: 1000 }));
      checkTree(s.tree, tasks);
      expect(s.compiled_critical_s).toBeGreaterThanOrEqual(s.true_critical_s);
      if (s.added.length > 0) slowdowns.push(s.slowdown);
    }
    const mean = slowdowns.reduce((a, b) => a + b, 0) / slowdowns.length;
    expect(mean).toBeLessThanOrEqual(1.05);
    expect(Math.max(...slowdowns)).toBeLessThanOrEqual(4 / 3);
  });

  it('never lets more tasks run at once than max_active_tasks, and keeps every dependency', () => {
    const random = prng(9);
    for (let k = 0; k < 40; k++) {
      const tasks = randomDag(random, 4 + Math.floor(random() * 30), 0.05 + random() * 0.2);
      const cap = 1 + Math.floor(random() * 5);
      const s = planStructure(planOf(tasks, { max_active_tasks: cap }));
      expect(width(s.tree)).toBeLessThanOrEqual(cap);
      checkTree(s.tree, tasks);
    }
  });

  it('puts wide fan-outs into lanes balanced by duration', () => {
    const tasks = Object.fromEntries(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => [id, { dur: [60, 50, 40, 30, 20, 10][i] }]),
    );
    const plan = planOf(tasks, { max_active_tasks: 2 });
    const limited = limitWidth(
      { kind: 'parallel', children: Object.keys(tasks).map((id) => ({ kind: 'task', id })) },
      2,
      (id) => tasks[id]!.dur!,
    );
    expect(width(limited.tree)).toBe(2);
    // Longest-processing-time: a+d+e = 110 and b+c+f = 100.
    expect(criticalSeconds(limited.tree, (id) => tasks[id]!.dur!)).toBe(110);
    expect(planStructure(plan).compiled_critical_s).toBe(110);
    expect(limited.added.length).toBe(4);
  });
});
