import { mulberry32 } from '../../../bench/generate-dag.ts';
import type { TaskSketch } from './plan-fixture.ts';

/** Seeded, so random test DAGs are the same on every run. */
export const prng = mulberry32;

const id = (i: number): string => `t${String(i).padStart(3, '0')}`;

/** n tasks; each pair i < j is an edge with probability p; durations 1..100 s. */
export function randomDag(random: () => number, n: number, p: number): Record<string, TaskSketch> {
  const tasks: Record<string, TaskSketch> = {};
  for (let j = 0; j < n; j++) {
    const up: string[] = [];
    for (let i = 0; i < j; i++) if (random() < p) up.push(id(i));
    tasks[id(j)] = { up, dur: 1 + Math.floor(random() * 100) };
  }
  return tasks;
}

/** A random series-parallel DAG of about n tasks, built by composing series and parallel parts. */
export function randomSpDag(random: () => number, n: number): Record<string, TaskSketch> {
  const tasks: Record<string, TaskSketch> = {};
  let next = 0;
  // Returns the sources and sinks of the part built.
  const build = (size: number, upstream: string[]): string[] => {
    if (size <= 1) {
      const t = id(next++);
      tasks[t] = { up: upstream, dur: 1 + Math.floor(random() * 100) };
      return [t];
    }
    const left = 1 + Math.floor(random() * (size - 1));
    if (random() < 0.5) return build(size - left, build(left, upstream));
    return [...build(left, upstream), ...build(size - left, upstream)];
  };
  build(n, []);
  return tasks;
}
