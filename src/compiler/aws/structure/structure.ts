import type { PlanIR, TaskIR } from '../../ir.ts';
import type { TriggerRule } from '../../../dag/vocabulary.ts';

/**
 * The shape of the compiled state machine, found in linear or near-linear time; no durations.
 *
 * - structural: the reduced DAG is series-parallel and every task with upstreams uses a rule of
 *   STRUCTURAL_RULES. Nothing can be skipped and a failure only propagates as upstream_failed, so
 *   waiting for a whole Parallel join never delays a start: plain nested Parallel states are exact.
 * - gated: anything else. An out-forest: a task with exactly one upstream sits right after it in
 *   its branch (decided exactly by a Choice on that upstream's state); every other task roots a
 *   branch, and a root with upstreams parks at a gate until its trigger rule decides. All branches
 *   run in one Parallel.
 *
 * max_active_tasks binds only when there are more job tasks than the cap and the structure's width
 * (an upper bound of how many job tasks can run at once) exceeds it; then every job task asks its
 * gate for a slot.
 */
export type StructureNode =
  | { kind: 'task'; id: string }
  | { kind: 'series'; children: StructureNode[] }
  | { kind: 'parallel'; children: StructureNode[] };

export type StructureMode = 'structural' | 'gated';

export interface Structure {
  mode: StructureMode;
  tree: StructureNode;
  /** Tasks that park at a gate for their trigger rule (gated roots with upstreams), sorted. */
  gated: string[];
  /** Whether every job task asks its gate for a max_active_tasks slot. */
  slots: boolean;
  /** Upper bound of job tasks running at once in this structure. */
  width: number;
  /** For each task that must report its end to the gates: the gated tasks waiting on it, sorted. */
  ends: Map<string, string[]>;
  /**
   * Most task records one execution's state holds, when the DAG is split into child machines
   * (a child's own tasks; the parent keeps only the leaves); absent: every task.
   */
  recordsPerMachine?: number;
}

/** Rules under which nothing is skipped and a join never delays a start (see above). */
export const STRUCTURAL_RULES: ReadonlySet<TriggerRule> = new Set([
  'all_success',
  'none_failed',
  'none_failed_min_one_success',
]);

/**
 * `split`: every task roots its own branch (gated when it has upstreams), so that the branches can
 * be spread over child state machines (a DAG too large for one definition or one history).
 */
export function planStructure(plan: PlanIR, options: { split?: boolean } = {}): Structure {
  const byId = new Map(plan.tasks.map((t) => [t.task_id, t]));
  const rulesFit =
    !options.split &&
    plan.tasks.every((t) => t.upstream.length === 0 || STRUCTURAL_RULES.has(t.trigger_rule));
  const sp = rulesFit ? seriesParallelTree(plan) : null;
  const mode: StructureMode = sp ? 'structural' : 'gated';
  const { tree, gated } = sp ? { tree: sp, gated: [] as string[] } : outForest(plan, options.split ?? false);
  const width = jobWidth(tree, byId);
  const jobs = plan.tasks.filter((t) => t.operator !== 'empty').length;
  const slots = jobs > plan.max_active_tasks && width > plan.max_active_tasks;
  const ends = new Map<string, Set<string>>();
  const watch = (task: string, waiter: string): void => {
    ends.set(task, (ends.get(task) ?? new Set()).add(waiter));
  };
  for (const id of gated) {
    const task = byId.get(id)!;
    for (const u of task.upstream) watch(u, id);
    for (const r of task.reads) watch(r.task, id);
  }
  if (slots)
    for (const t of plan.tasks)
      if (t.operator !== 'empty' && !ends.has(t.task_id)) ends.set(t.task_id, new Set());
  return {
    mode,
    tree,
    gated: [...gated].sort(),
    slots,
    width,
    ends: new Map([...ends].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, [...v].sort()])),
  };
}

function jobWidth(root: StructureNode, byId: ReadonlyMap<string, TaskIR>): number {
  // Post-order without recursion: nesting can be as deep as the DAG is long.
  const out = new Map<StructureNode, number>();
  const stack: Array<[StructureNode, boolean]> = [[root, false]];
  while (stack.length > 0) {
    const [node, expanded] = stack.pop()!;
    if (node.kind === 'task') {
      out.set(node, byId.get(node.id)!.operator === 'empty' ? 0 : 1);
      continue;
    }
    if (!expanded) {
      stack.push([node, true]);
      for (const c of node.children) stack.push([c, false]);
      continue;
    }
    const widths = node.children.map((c) => out.get(c)!);
    out.set(node, node.kind === 'series' ? Math.max(0, ...widths) : widths.reduce((a, b) => a + b, 0));
  }
  return out.get(root)!;
}

/**
 * The series-parallel decomposition of the reduced DAG, or null when it is not series-parallel.
 * A set splits into weakly connected components (parallel); a connected set splits in series at
 * every valid cut of its topological order: between prefix P and suffix Q the crossing edges are
 * exactly sinks(P) x sources(Q), counted incrementally in one sweep. A connected set of more than
 * one task without a valid cut is not series-parallel.
 */
export function seriesParallelTree(plan: PlanIR): StructureNode | null {
  const index = new Map(plan.graph.topological_order.map((id, i) => [id, i]));
  const n = index.size;
  const succ: number[][] = Array.from({ length: n }, () => []);
  const pred: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of plan.graph.reduced_edges) {
    succ[index.get(a)!]!.push(index.get(b)!);
    pred[index.get(b)!]!.push(index.get(a)!);
  }
  const ids = plan.graph.topological_order;
  // Membership marks: which part a node belongs to while that part is being split.
  const mark = new Int32Array(n).fill(-1);
  let nextMark = 0;
  const outInP = new Int32Array(n);
  const inFromQ = new Int32Array(n);
  const crossOut = new Int32Array(n);
  const crossIn = new Int32Array(n);

  type Job = { nodes: number[]; into: StructureNode[]; at: number };
  const root: StructureNode[] = [];
  const jobs: Job[] = [{ nodes: [...Array(n).keys()], into: root, at: 0 }];
  while (jobs.length > 0) {
    const { nodes, into, at } = jobs.pop()!;
    if (nodes.length === 1) {
      into[at] = { kind: 'task', id: ids[nodes[0]!]! };
      continue;
    }
    const components = weakComponents(nodes);
    if (components.length > 1) {
      const children: StructureNode[] = new Array(components.length);
      into[at] = { kind: 'parallel', children };
      components.forEach((c, i) => jobs.push({ nodes: c, into: children, at: i }));
      continue;
    }
    const segments = seriesSegments(nodes);
    if (segments === null) return null;
    const children: StructureNode[] = new Array(segments.length);
    into[at] = { kind: 'series', children };
    segments.forEach((s, i) => jobs.push({ nodes: s, into: children, at: i }));
  }
  return root[0] ?? { kind: 'parallel', children: [] };

  /** Components of `nodes` (ascending topological positions), each ascending. */
  function weakComponents(nodes: number[]): number[][] {
    const m = nextMark++;
    for (const v of nodes) mark[v] = m;
    const seen = nextMark++;
    const components: number[][] = [];
    for (const start of nodes) {
      if (mark[start] !== m) continue;
      const component: number[] = [];
      const stack = [start];
      mark[start] = seen;
      while (stack.length > 0) {
        const v = stack.pop()!;
        component.push(v);
        for (const w of succ[v]!.concat(pred[v]!)) {
          if (mark[w] !== m) continue;
          mark[w] = seen;
          stack.push(w);
        }
      }
      components.push(component.sort((a, b) => a - b));
    }
    return components;
  }

  /** The series segments of a connected set between consecutive valid cuts, or null when none. */
  function seriesSegments(nodes: number[]): number[][] | null {
    const m = nextMark++;
    for (const v of nodes) {
      mark[v] = m;
      outInP[v] = 0;
      crossOut[v] = 0;
      crossIn[v] = 0;
    }
    for (const v of nodes) inFromQ[v] = pred[v]!.reduce((k, u) => k + (mark[u] === m ? 1 : 0), 0);
    const inP = nextMark++;
    let sourcesQ = nodes.reduce((k, v) => k + (inFromQ[v] === 0 ? 1 : 0), 0);
    let sinksP = 0;
    let crossing = 0;
    let badFrom = 0;
    let badTo = 0;
    const cuts: number[] = [];
    for (let i = 0; i < nodes.length - 1; i++) {
      const v = nodes[i]!;
      // v is the first of Q in topological order, hence a source of Q; it moves to P.
      sourcesQ--;
      for (const a of pred[v]!) {
        if (mark[a] !== inP) continue;
        crossing--;
        crossOut[a]!--;
        if (outInP[a]! > 0) badFrom--;
        if (outInP[a]!++ === 0) {
          sinksP--;
          badFrom += crossOut[a]!;
        }
      }
      mark[v] = inP;
      sinksP++;
      for (const b of succ[v]!) {
        if (mark[b] !== m) continue;
        if (--inFromQ[b]! === 0) {
          sourcesQ++;
          badTo -= crossIn[b]!;
        }
        crossing++;
        crossOut[v]!++;
        crossIn[b]!++;
        if (inFromQ[b]! > 0) badTo++;
      }
      if (badFrom === 0 && badTo === 0 && crossing === sinksP * sourcesQ) cuts.push(i + 1);
    }
    if (cuts.length === 0) return null;
    const segments: number[][] = [];
    let from = 0;
    for (const cut of [...cuts, nodes.length]) {
      segments.push(nodes.slice(from, cut));
      from = cut;
    }
    return segments;
  }
}

/**
 * The gated mode's out-forest. A task with exactly one upstream follows it in its branch unless it
 * reads the output of a task that is not before it on that branch (then only a gate can wait for
 * that output) or its rule is `always` (it starts at once, whatever its upstreams do); every other
 * task roots a branch, gated when it has upstreams (an `always` task only when it reads outputs).
 */
function outForest(plan: PlanIR, allRoots: boolean): { tree: StructureNode; gated: string[] } {
  const parent = new Map<string, string>();
  const children = new Map<string, string[]>();
  const roots: string[] = [];
  const gated: string[] = [];
  const onPath = (from: string, target: string): boolean => {
    for (let at: string | undefined = from; at !== undefined; at = parent.get(at))
      if (at === target) return true;
    return false;
  };
  for (const task of plan.tasks) {
    const id = task.task_id;
    const up =
      !allRoots && task.upstream.length === 1 && task.trigger_rule !== 'always' ? task.upstream[0]! : null;
    if (up !== null && task.reads.every((r) => onPath(up, r.task))) {
      parent.set(id, up);
      children.set(up, [...(children.get(up) ?? []), id]);
      continue;
    }
    roots.push(id);
    // `always` runs at once (Airflow: the dependency is always met), unless it must wait for outputs.
    if (task.upstream.length > 0 && (task.trigger_rule !== 'always' || task.reads.length > 0)) gated.push(id);
  }
  // Subtrees bottom-up (reverse topological order), each series kept reversed while it grows.
  const reversedSeries = new Map<string, StructureNode[]>();
  for (let i = plan.tasks.length - 1; i >= 0; i--) {
    const id = plan.tasks[i]!.task_id;
    const kids = children.get(id) ?? [];
    let series: StructureNode[];
    if (kids.length === 0) series = [];
    else if (kids.length === 1) series = reversedSeries.get(kids[0]!)!;
    else series = [{ kind: 'parallel', children: kids.map((k) => asNode(reversedSeries.get(k)!)) }];
    for (const k of kids) reversedSeries.delete(k);
    series.push({ kind: 'task', id });
    reversedSeries.set(id, series);
  }
  const branches = roots.map((r) => asNode(reversedSeries.get(r)!));
  return { tree: { kind: 'parallel', children: branches }, gated };
}

function asNode(reversed: StructureNode[]): StructureNode {
  if (reversed.length === 1) return reversed[0]!;
  return { kind: 'series', children: reversed.reverse() };
}
