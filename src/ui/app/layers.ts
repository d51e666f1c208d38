/**
 * A DAG's tasks in topological order (ties by task id) with each task's depth: the longest path
 * from a root, so every edge points to a deeper layer. Kahn's algorithm, linear in tasks + edges.
 */
export interface Layered {
  order: string[];
  depth: Map<string, number>;
  /** Task ids per depth, in topological order. */
  layers: string[][];
}

export function layerTasks(
  tasks: ReadonlyArray<{ task_id: string; downstream_task_ids: string[] }>,
): Layered {
  const downstream = new Map<string, string[]>();
  const indegree = new Map<string, number>();
  for (const t of tasks) {
    downstream.set(t.task_id, t.downstream_task_ids);
    if (!indegree.has(t.task_id)) indegree.set(t.task_id, 0);
  }
  for (const t of tasks)
    for (const d of t.downstream_task_ids) if (indegree.has(d)) indegree.set(d, (indegree.get(d) ?? 0) + 1);
  const depth = new Map<string, number>();
  let ready = [...indegree]
    .filter(([, n]) => n === 0)
    .map(([id]) => id)
    .sort();
  const order: string[] = [];
  while (ready.length > 0) {
    const next: string[] = [];
    for (const id of ready) {
      order.push(id);
      const d = depth.get(id) ?? 0;
      depth.set(id, d);
      for (const child of downstream.get(id) ?? []) {
        if (!indegree.has(child)) continue;
        depth.set(child, Math.max(depth.get(child) ?? 0, d + 1));
        const left = (indegree.get(child) ?? 0) - 1;
        indegree.set(child, left);
        if (left === 0) next.push(child);
      }
    }
    ready = next.sort();
  }
  const layers: string[][] = [];
  for (const id of order) (layers[depth.get(id) ?? 0] ??= []).push(id);
  return { order, depth, layers };
}
