import type { AddedOrdering, SpNode } from './sp-tree.ts';
import { criticalSeconds, firstTasks, lastTasks, parallel, series, width } from './sp-tree.ts';

/**
 * Enforces max_active_tasks on a series-parallel tree: a parallel node whose branches could run more
 * tasks at once than the cap is regrouped into lanes, each lane a series of former branches. Branches
 * are placed widest and longest first, each opening a new lane while the cap allows and otherwise
 * joining the lane that ends earliest (longest-processing-time scheduling). Because a later branch is
 * never wider than any open lane, joining a lane never raises the width.
 */
export function limitWidth(
  tree: SpNode,
  cap: number,
  duration: (id: string) => number,
): { tree: SpNode; added: AddedOrdering[] } {
  if (!Number.isInteger(cap) || cap < 1)
    throw new Error(`max_active_tasks must be a positive integer, got ${cap}`);
  const added: AddedOrdering[] = [];
  const visit = (node: SpNode): SpNode => {
    if (node.kind === 'task') return node;
    const children = node.children.map(visit);
    if (node.kind === 'series') return series(children);
    if (children.reduce((sum, c) => sum + width(c), 0) <= cap) return parallel(children);
    const ranked = children
      .map((child) => ({
        child,
        w: width(child),
        t: criticalSeconds(child, duration),
        key: firstTasks(child)[0]!,
      }))
      .sort((a, b) => b.w - a.w || b.t - a.t || (a.key < b.key ? -1 : 1));
    const lanes: Array<{ items: SpNode[]; w: number; t: number }> = [];
    let used = 0;
    for (const { child, w, t } of ranked) {
      if (used + w <= cap) {
        lanes.push({ items: [child], w, t });
        used += w;
        continue;
      }
      const lane = lanes.reduce((best, l) => (l.t < best.t ? l : best));
      const previous = lane.items[lane.items.length - 1]!;
      for (const before of lastTasks(previous)) {
        for (const after of firstTasks(child)) added.push({ before, after });
      }
      lane.items.push(child);
      lane.t += t;
    }
    return parallel(lanes.map((l) => series(l.items)));
  };
  return { tree: visit(tree), added };
}
