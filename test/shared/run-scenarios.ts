import { TRIGGER_RULES } from '../../src/dag/vocabulary.ts';
import type { TaskSketch } from '../compiler/aws/plan-fixture.ts';

/**
 * Run scenarios every engine must agree on (final task states and run state): failure patterns
 * for every trigger rule, retries, max_active_tasks, shapes that are and are not
 * series-parallel. `fail` lists the tasks that fail on every try.
 */
export interface RunScenario {
  name: string;
  tasks: Record<string, TaskSketch>;
  fail: string[];
  max_active_tasks?: number;
}

/** Upstream patterns for the rule matrix: s succeeds, f fails, k is skipped, u is upstream_failed. */
const BASE: Record<string, TaskSketch> = {
  s: { dur: 60 },
  f: { dur: 30 },
  k: { up: ['s'], rule: 'all_failed' },
  u: { up: ['f'], dur: 10 },
};
const PATTERNS: Record<string, string[]> = {
  sf: ['s', 'f'],
  sk: ['s', 'k'],
  fk: ['f', 'k'],
  fu: ['f', 'u'],
  ss: ['s'],
  kk: ['k'],
  uu: ['u'],
  sfku: ['s', 'f', 'k', 'u'],
};

export const RULE_MATRIX: RunScenario = {
  name: 'every trigger rule against every upstream pattern',
  fail: ['f'],
  tasks: {
    ...BASE,
    ...Object.fromEntries(
      TRIGGER_RULES.flatMap((rule) =>
        Object.entries(PATTERNS).map(([p, up]): [string, TaskSketch] => [
          `${rule}__${p}`,
          { up, rule, dur: 5 },
        ]),
      ),
    ),
  },
};

export const RUN_SCENARIOS: RunScenario[] = [
  { name: 'chain, all succeed', fail: [], tasks: { a: {}, b: { up: ['a'], dur: 120 }, c: { up: ['b'] } } },
  {
    name: 'diamond with a failing branch',
    fail: ['b'],
    tasks: { a: {}, b: { up: ['a'] }, c: { up: ['a'], dur: 300 }, d: { up: ['b', 'c'] }, e: { up: ['c'] } },
  },
  {
    name: 'N shape (not series-parallel)',
    fail: [],
    tasks: { a: { dur: 10 }, b: { dur: 100 }, c: { up: ['a'], dur: 200 }, d: { up: ['a', 'b'], dur: 20 } },
  },
  {
    name: 'retries then failure, independent branch keeps going',
    fail: ['r'],
    tasks: {
      r: { retries: 2, exponential: true },
      x: { dur: 400 },
      y: { up: ['x'] },
      z: { up: ['r'], rule: 'all_done' },
    },
  },
  {
    name: 'max_active_tasks bounds a fan-out',
    fail: ['t3'],
    max_active_tasks: 2,
    tasks: {
      root: { op: 'empty' },
      ...Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`t${i}`, { up: ['root'], dur: 30 * i }])),
      join: { up: ['t1', 't2', 't3', 't4', 't5'], rule: 'none_failed' },
    },
  },
  {
    name: 'priority_weight decides who takes a short slot; empty tasks take none',
    fail: [],
    max_active_tasks: 1,
    tasks: {
      root: { op: 'empty' },
      low: { up: ['root'], dur: 20, weight: 1 },
      mid: { up: ['root'], dur: 30, weight: 5 },
      high: { up: ['root'], dur: 40, weight: 9 },
      marker: { op: 'empty', up: ['root'], dur: 15 },
      after: { op: 'empty', up: ['marker'], dur: 5 },
    },
  },
  {
    name: 'empty joins and markers',
    fail: ['b'],
    tasks: {
      start: { op: 'empty' },
      a: { up: ['start'] },
      b: { up: ['start'] },
      join: { op: 'empty', up: ['a', 'b'], rule: 'one_success' },
      after: { up: ['join'] },
      cleanup: { op: 'empty', up: ['a', 'b'], rule: 'all_done' },
    },
  },
  RULE_MATRIX,
];
