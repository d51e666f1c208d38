import type { AddedOrdering, SpNode } from './sp-tree.ts';
import { criticalSeconds, firstTasks, lastTasks, parallel, series, taskIds, width } from './sp-tree.ts';

/**
 * Enforces max_active_tasks on a series-parallel tree. A parallel node whose branches could run more
 * tasks at once than its slots allow is regrouped in whichever of two ways finishes sooner:
 * - lanes: each branch limited to all the slots, then placed widest and longest first, opening a new
 *   lane while slots remain and otherwise joining the lane that ends earliest;
 * - shares: with no more branches than slots, each branch gets one slot and spare slots go one at a
 *   time to the branch with the most work per slot, each branch limited to its share; with more
 *   branches than slots, one lane per slot, filled most work first into the lightest lane, each lane
 *   running one task at a time.
 * Work is the sum of expected durations. Lanes order branches the DAG left unordered; those orderings
 * are returned with the tree.
 */
interface Limited {
  node: SpNode;
  seconds: number;
  added: AddedOrdering[];
}

export function limitWidth(
  tree: SpNode,
  cap: number,
  duration: (id: string) => number,
): { tree: SpNode; added: AddedOrdering[] } {
  if (!Number.isInteger(cap) || cap < 1)
    throw new Error(`max_active_tasks must be a positive integer, got ${cap}`);
  const memo = new Map<SpNode, Map<number, Limited>>();
  const work = (node: SpNode): number => taskIds(node).reduce((sum, id) => sum + duration(id), 0);

  const limit = (node: SpNode, slots: number): Limited => {
    const known = memo.get(node)?.get(slots);
    if (known) return known;
    let result: Limited;
    if (node.kind === 'task') {
      result = { node, seconds: duration(node.id), added: [] };
    } else if (node.kind === 'series') {
      result = inSeries(node.children.map((c) => limit(c, slots)));
    } else if (node.children.reduce((sum, c) => sum + width(c), 0) <= slots) {
      result = { node, seconds: criticalSeconds(node, duration), added: [] };
    } else {
      const byLanes = lanes(node.children, slots);
      const byShares = shares(node.children, slots);
      result = byShares.seconds < byLanes.seconds ? byShares : byLanes;
    }
    if (!memo.has(node)) memo.set(node, new Map());
    memo.get(node)!.set(slots, result);
    return result;
  };

  const inSeries = (parts: Limited[]): Limited => ({
    node: series(parts.map((p) => p.node)),
    seconds: parts.reduce((sum, p) => sum + p.seconds, 0),
    added: parts.flatMap((p) => p.added),
  });

  const inParallel = (parts: Limited[]): Limited => ({
    node: parallel(parts.map((p) => p.node)),
    seconds: Math.max(...parts.map((p) => p.seconds)),
    added: parts.flatMap((p) => p.added),
  });

  /** Runs each lane's parts one after the other, recording the orderings that adds. */
  const lane = (parts: Limited[]): Limited => {
    const joined = inSeries(parts);
    for (let i = 1; i < parts.length; i++) {
      for (const before of lastTasks(parts[i - 1]!.node)) {
        for (const after of firstTasks(parts[i]!.node)) joined.added.push({ before, after });
      }
    }
    return joined;
  };

  const lanes = (children: SpNode[], slots: number): Limited => {
    const ranked = children
      .map((c) => limit(c, slots))
      .map((l) => ({ l, w: width(l.node), key: firstTasks(l.node)[0]! }))
      .sort((a, b) => b.w - a.w || b.l.seconds - a.l.seconds || (a.key < b.key ? -1 : 1));
    const open: Array<{ parts: Limited[]; seconds: number }> = [];
    let used = 0;
    for (const { l, w } of ranked) {
      if (used + w <= slots) {
        open.push({ parts: [l], seconds: l.seconds });
        used += w;
        continue;
      }
      const earliest = open.reduce((best, o) => (o.seconds < best.seconds ? o : best));
      earliest.parts.push(l);
      earliest.seconds += l.seconds;
    }
    return inParallel(open.map((o) => lane(o.parts)));
  };

  const shares = (children: SpNode[], slots: number): Limited => {
    const works = children.map(work);
    if (children.length <= slots) {
      const widths = children.map(width);
      const share = children.map(() => 1);
      for (let spare = slots - children.length; spare > 0; spare--) {
        let best = -1;
        for (let i = 0; i < share.length; i++) {
          if (share[i]! >= widths[i]!) continue;
          if (best === -1 || works[i]! / share[i]! > works[best]! / share[best]!) best = i;
        }
        if (best === -1) break;
        share[best]!++;
      }
      return inParallel(children.map((c, i) => limit(c, share[i]!)));
    }
    const open = Array.from({ length: slots }, () => ({ parts: [] as Limited[], work: 0 }));
    const ranked = children
      .map((child, i) => ({ child, w: works[i]!, key: firstTasks(child)[0]! }))
      .sort((a, b) => b.w - a.w || (a.key < b.key ? -1 : 1));
    for (const { child, w } of ranked) {
      const lightest = open.reduce((best, o) => (o.work < best.work ? o : best));
      lightest.parts.push(limit(child, 1));
      lightest.work += w;
    }
    return inParallel(open.filter((o) => o.parts.length > 0).map((o) => lane(o.parts)));
  };

  const result = limit(tree, cap);
  return { tree: result.node, added: result.added };
}
