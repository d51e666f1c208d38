import type { WeightRule } from '../dag/vocabulary.ts';

/** One task as priority weights need it; `index` is its position in a topological order. */
export interface WeightInput {
  priority_weight: number;
  weight_rule: WeightRule;
  /** Positions (in the same topological order) of the direct upstreams. */
  upstream: readonly number[];
}

/**
 * Airflow's effective priority weight (BaseOperator.priority_weight_total): `absolute` is the task's
 * own weight, `downstream` adds the own weights of every distinct descendant, `upstream` of every
 * distinct ancestor. Reachability is kept as bitsets over topological positions, one row per task
 * covering only the positions on its side of the order, so 10,000 tasks take a few milliseconds to
 * tens of milliseconds and about n²/16 bytes. Input in topological order; result by position.
 */
export function effectiveWeights(tasks: readonly WeightInput[]): number[] {
  const n = tasks.length;
  const own = tasks.map((t) => t.priority_weight);
  const result = [...own];
  const uniform = own.every((w) => w === own[0]);
  const needs = (rule: WeightRule): boolean => tasks.some((t) => t.weight_rule === rule);
  if (needs('downstream')) {
    const downstream: number[][] = tasks.map(() => []);
    tasks.forEach((t, i) => {
      for (const u of t.upstream) downstream[u]!.push(i);
    });
    // Row i holds descendants of i; they all sit after i, so the row starts at word (i+1)>>5.
    const rows = reach(n, (i) => downstream[i]!, 'after');
    for (let i = 0; i < n; i++) {
      if (tasks[i]!.weight_rule === 'downstream') result[i] = own[i]! + sumOf(rows[i]!, own, uniform);
    }
  }
  if (needs('upstream')) {
    const rows = reach(n, (i) => tasks[i]!.upstream, 'before');
    for (let i = 0; i < n; i++) {
      if (tasks[i]!.weight_rule === 'upstream') result[i] = own[i]! + sumOf(rows[i]!, own, uniform);
    }
  }
  return result;
}

interface Row {
  /** Position of bit 0 of words[0]. */
  base: number;
  words: Uint32Array;
}

/** For each position, the set of positions reachable through `next` (strictly after or before it). */
function reach(n: number, next: (i: number) => readonly number[], side: 'after' | 'before'): Row[] {
  const rows: Row[] = new Array(n);
  const words = (n + 31) >>> 5;
  const order = side === 'after' ? [...Array(n).keys()].reverse() : [...Array(n).keys()];
  for (const i of order) {
    const base = side === 'after' ? ((i + 1) >>> 5) << 5 : 0;
    const length = side === 'after' ? words - (base >>> 5) : (i + 31) >>> 5;
    const row = new Uint32Array(length);
    for (const j of next(i)) {
      row[(j - base) >>> 5]! |= 1 << ((j - base) & 31);
      const other = rows[j]!;
      const offset = (other.base - base) >>> 5;
      const limit = Math.min(other.words.length, length - offset);
      for (let w = 0; w < limit; w++) row[offset + w]! |= other.words[w]!;
    }
    rows[i] = { base, words: row };
  }
  return rows;
}

function sumOf(row: Row, own: readonly number[], uniform: boolean): number {
  let sum = 0;
  for (let w = 0; w < row.words.length; w++) {
    let bits = row.words[w]!;
    if (bits === 0) continue;
    if (uniform) {
      sum += popcount(bits) * own[0]!;
      continue;
    }
    while (bits !== 0) {
      const low = bits & -bits;
      sum += own[row.base + (w << 5) + (31 - Math.clz32(low))]!;
      bits ^= low;
    }
  }
  return sum;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
