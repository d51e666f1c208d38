import type { SpInput, SpNode } from './sp-tree.ts';
import { parallel, series } from './sp-tree.ts';

/**
 * A structure for max_active_tasks built by list scheduling: phases run one after the other, each a
 * Parallel of at most `cap` lanes, each lane a sequence of tasks. A lane takes, highest priority
 * first (longest path to the end), a task whose upstreams all ended in earlier phases or earlier in
 * the same lane. The lane that ends first takes the next task; a lane's first task opens it, later
 * ones must end by the phase's current end, and the phase closes when no lane can take a task.
 * Durations are seconds. When the DAG is much wider than the cap, this keeps the slots busier than
 * limiting the uncapped series-parallel tree.
 */
export function phasedLanes(input: SpInput, cap: number): SpNode {
  const n = input.order.length;
  const index = new Map(input.order.map((id, i) => [id, i]));
  const dur = input.order.map((id) => input.duration(id));
  const up: number[][] = input.order.map(() => []);
  const down: number[][] = input.order.map(() => []);
  for (const [from, to] of input.edges) {
    up[index.get(to)!]!.push(index.get(from)!);
    down[index.get(from)!]!.push(index.get(to)!);
  }
  const tail = new Float64Array(n);
  for (let v = n - 1; v >= 0; v--) tail[v] = dur[v]! + Math.max(0, ...down[v]!.map((w) => tail[w]!));
  const before = (a: number, b: number): boolean => tail[a]! > tail[b]! || (tail[a] === tail[b] && a < b);

  /** 0: not placed; 1: placed in an earlier phase; 2 + lane: placed in this phase, in that lane. */
  const placed = new Int32Array(n);
  const waiting = Int32Array.from(up, (u) => u.length);
  let ready: number[] = [];
  for (let v = 0; v < n; v++) if (waiting[v] === 0) ready.push(v);
  const phases: SpNode[] = [];
  while (ready.length > 0) {
    const lanes = Array.from({ length: cap }, () => ({ tasks: [] as number[], end: 0 }));
    // Tasks whose upstreams all ended before the phase or earlier in one lane: that lane may take them.
    const chainable = new Map<number, number>();
    let end = 0;
    const pick = (lane: number): number => {
      const l = lanes[lane]!;
      let best = -1;
      const consider = (v: number): void => {
        if (placed[v] !== 0) return;
        // A lane's first task opens it; later ones may not lengthen the phase.
        if (l.tasks.length > 0 && l.end + dur[v]! > end) return;
        if (best === -1 || before(v, best)) best = v;
      };
      for (const v of ready) consider(v);
      for (const [v, owner] of chainable) if (owner === lane) consider(v);
      return best;
    };
    for (;;) {
      let lane = -1;
      let v = -1;
      for (const i of lanes.map((_, i) => i).sort((a, b) => lanes[a]!.end - lanes[b]!.end || a - b)) {
        v = pick(i);
        if (v !== -1) {
          lane = i;
          break;
        }
      }
      if (lane === -1) break;
      const l = lanes[lane]!;
      l.tasks.push(v);
      l.end += dur[v]!;
      end = Math.max(end, l.end);
      placed[v] = 2 + lane;
      chainable.delete(v);
      for (const w of down[v]!) {
        const owners = new Set(up[w]!.map((u) => placed[u]!));
        if (!owners.has(0) && [...owners].every((o) => o === 1 || o === 2 + lane)) chainable.set(w, lane);
      }
    }
    const used = lanes.filter((l) => l.tasks.length > 0);
    phases.push(
      parallel(used.map((l) => series(l.tasks.map((v) => ({ kind: 'task', id: input.order[v]! }))))),
    );
    for (const l of used) for (const v of l.tasks) placed[v] = 1;
    const next: number[] = [];
    for (const l of used) {
      for (const v of l.tasks) {
        for (const w of down[v]!) if (--waiting[w]! === 0 && placed[w] === 0) next.push(w);
      }
    }
    ready = [...ready.filter((v) => placed[v] === 0), ...next];
  }
  return series(phases);
}
