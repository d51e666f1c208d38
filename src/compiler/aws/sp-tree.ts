import { CompileRefusal } from '../compile-refusal.ts';

/**
 * Series-parallel structure of a DAG, the shape nested Parallel states can express.
 *
 * A series-parallel DAG decomposes exactly: weakly connected parts run in parallel, and a connected
 * part splits in series where every task of the prefix precedes every task of the rest (such a split
 * is a prefix of every topological order, so one scan finds all of them). A part that admits neither
 * (an "N": a->c, a->d, b->d) is cut in series anyway, at the down-closed prefix that keeps the
 * critical path shortest; that cut adds orderings, which are recorded. Durations are seconds.
 */

export type SpNode =
  | { kind: 'task'; id: string }
  | { kind: 'series'; children: SpNode[] }
  | { kind: 'parallel'; children: SpNode[] };

/** Tasks `before` now all precede tasks `after`, where the DAG did not order them. */
export interface AddedOrdering {
  before: string;
  after: string;
}

export interface SpInput {
  /** Task ids in a topological order. */
  order: readonly string[];
  /** Transitive reduction of the dependency edges, [upstream, downstream]. */
  edges: ReadonlyArray<readonly [string, string]>;
  duration: (id: string) => number;
}

export interface SpResult {
  tree: SpNode;
  added: AddedOrdering[];
}

export function seriesParallel(input: SpInput): SpResult {
  return new Decomposer(input).run();
}

export const criticalSeconds = (node: SpNode, duration: (id: string) => number): number =>
  node.kind === 'task'
    ? duration(node.id)
    : node.kind === 'series'
      ? node.children.reduce((sum, c) => sum + criticalSeconds(c, duration), 0)
      : Math.max(...node.children.map((c) => criticalSeconds(c, duration)));

/** Most tasks that can run at once inside the node. */
export const width = (node: SpNode): number =>
  node.kind === 'task'
    ? 1
    : node.kind === 'series'
      ? Math.max(...node.children.map(width))
      : node.children.reduce((sum, c) => sum + width(c), 0);

export const taskIds = (node: SpNode): string[] =>
  node.kind === 'task' ? [node.id] : node.children.flatMap(taskIds);

/** Tasks with nothing before them inside the node, and with nothing after them. */
export const firstTasks = (node: SpNode): string[] =>
  node.kind === 'task'
    ? [node.id]
    : node.kind === 'series'
      ? firstTasks(node.children[0]!)
      : node.children.flatMap(firstTasks);
export const lastTasks = (node: SpNode): string[] =>
  node.kind === 'task'
    ? [node.id]
    : node.kind === 'series'
      ? lastTasks(node.children[node.children.length - 1]!)
      : node.children.flatMap(lastTasks);

/**
 * Orderings a tree adds to the DAG with these (transitively reduced) edges. A last task of one series
 * child and a first task of the next are ordered by the DAG only through a direct edge: a longer path
 * would have to pass through a third child.
 */
export function addedOrderings(
  tree: SpNode,
  edges: ReadonlyArray<readonly [string, string]>,
): AddedOrdering[] {
  const direct = new Set(edges.map(([from, to]) => `${from}>${to}`));
  const added: AddedOrdering[] = [];
  const visit = (node: SpNode): void => {
    if (node.kind === 'task') return;
    node.children.forEach(visit);
    if (node.kind === 'parallel') return;
    for (let i = 1; i < node.children.length; i++) {
      for (const before of lastTasks(node.children[i - 1]!)) {
        for (const after of firstTasks(node.children[i]!)) {
          if (!direct.has(`${before}>${after}`)) added.push({ before, after });
        }
      }
    }
  };
  visit(tree);
  return added;
}

export function series(children: SpNode[]): SpNode {
  const flat = children.flatMap((c) => (c.kind === 'series' ? c.children : [c]));
  return flat.length === 1 ? flat[0]! : { kind: 'series', children: flat };
}

export function parallel(children: SpNode[]): SpNode {
  const flat = children.flatMap((c) => (c.kind === 'parallel' ? c.children : [c]));
  return flat.length === 1 ? flat[0]! : { kind: 'parallel', children: flat };
}

/**
 * How hard to search. Parts up to `lookaheadTasks` try `lookaheadCuts` cuts, each decomposed fully;
 * larger parts up to ROLLOUT_TASKS rank `rolloutCuts` cuts by a greedy decomposition of both sides
 * and decompose the best `rolloutKept` fully. Small DAGs afford more (the second setting).
 */
const SEARCH = { lookaheadTasks: 48, lookaheadCuts: 3, rolloutCuts: 16, rolloutKept: 1 };
const SMALL_DAG_SEARCH = { lookaheadTasks: 24, lookaheadCuts: 3, rolloutCuts: 24, rolloutKept: 2 };
const SMALL_DAG_TASKS = 300;
const ROLLOUT_TASKS = 400;

/** A decomposed part. Nodes stay unflattened until the end so the cuts chosen can be found again. */
interface Built {
  node: SpNode;
  seconds: number;
}

class Decomposer {
  private readonly ids: readonly string[];
  private readonly dur: Float64Array;
  private readonly up: number[][];
  private readonly down: number[][];
  private readonly edgeSet = new Set<string>();
  /** Scratch membership marks; a node is in the current set when mark[v] === stamp. */
  private readonly mark: Int32Array;
  private readonly position: Int32Array;
  /** Scratch per node for cheapestCuts: earliest start, longest path from its start, input rank. */
  private readonly est: Float64Array;
  private readonly tail: Float64Array;
  private readonly rank: Int32Array;
  private stamp = 0;
  private readonly memo = new Map<string, Built>();
  private readonly greedyMemo = new Map<string, Built>();
  /** Orderings added by each heuristic cut, by the series node it made. */
  private readonly cutAdded = new Map<SpNode, AddedOrdering[]>();
  private readonly search: typeof SEARCH;

  constructor(input: SpInput) {
    this.ids = input.order;
    const index = new Map(input.order.map((id, i) => [id, i]));
    const n = input.order.length;
    this.search = n <= SMALL_DAG_TASKS ? SMALL_DAG_SEARCH : SEARCH;
    this.dur = Float64Array.from(input.order, (id) => input.duration(id));
    this.up = Array.from({ length: n }, () => []);
    this.down = Array.from({ length: n }, () => []);
    for (const [from, to] of input.edges) {
      const f = index.get(from);
      const t = index.get(to);
      if (f === undefined || t === undefined) throw new Error(`edge ${from} -> ${to} names an unknown task`);
      if (f >= t) throw new Error(`edge ${from} -> ${to} goes against the topological order`);
      this.up[t]!.push(f);
      this.down[f]!.push(t);
      this.edgeSet.add(`${f}>${t}`);
    }
    this.mark = new Int32Array(n);
    this.position = new Int32Array(n);
    this.est = new Float64Array(n);
    this.tail = new Float64Array(n);
    this.rank = new Int32Array(n);
  }

  run(): SpResult {
    const all = this.ids.map((_, i) => i);
    if (all.length === 0) throw new CompileRefusal('a DAG without tasks has nothing to run; add a task');
    const root = this.build(all).node;
    const added: AddedOrdering[] = [];
    const collect = (node: SpNode): SpNode => {
      if (node.kind === 'task') return node;
      added.push(...(this.cutAdded.get(node) ?? []));
      const children = node.children.map(collect);
      return node.kind === 'series' ? series(children) : parallel(children);
    };
    return { tree: collect(root), added };
  }

  /** `nodes` is convex (every path between two of them stays inside) and in topological order. */
  /** `greedy` takes the first-ranked cut everywhere: a quick estimate used to rank cuts. */
  private build(nodes: number[], greedy = false): Built {
    if (nodes.length === 1)
      return { node: { kind: 'task', id: this.ids[nodes[0]!]! }, seconds: this.dur[nodes[0]!]! };
    const memo = greedy ? this.greedyMemo : this.memo;
    const key = nodes.join(',');
    const known = memo.get(key);
    if (known) return known;
    const built = this.decompose(nodes, greedy);
    if (greedy || nodes.length <= ROLLOUT_TASKS) memo.set(key, built);
    return built;
  }

  private decompose(nodes: number[], greedy: boolean): Built {
    const parts = this.components(nodes);
    if (parts.length > 1) {
      const built = parts.map((p) => this.build(p, greedy));
      return {
        node: { kind: 'parallel', children: built.map((b) => b.node) },
        seconds: Math.max(...built.map((b) => b.seconds)),
      };
    }
    const cuts = this.exactCuts(nodes);
    if (cuts.length > 0) {
      const factors: number[][] = [];
      let start = 0;
      for (const cut of [...cuts, nodes.length]) {
        factors.push(nodes.slice(start, cut));
        start = cut;
      }
      return this.inSeries(factors.map((f) => this.build(f, greedy)));
    }
    const m = nodes.length;
    const { lookaheadTasks, lookaheadCuts, rolloutCuts, rolloutKept } = this.search;
    const exhaustive = !greedy && m <= lookaheadTasks;
    const rollout = !greedy && !exhaustive && m <= ROLLOUT_TASKS;
    const ranked = this.cheapestCuts(nodes, exhaustive ? lookaheadCuts : rollout ? rolloutCuts : 1);
    let picked = ranked.slice(0, 1);
    if (rollout) {
      const estimate = ([a, b]: [number[], number[]]): number =>
        this.build(a, true).seconds + this.build(b, true).seconds;
      picked = ranked
        .map((cut, i) => ({ cut, seconds: estimate(cut), i }))
        .sort((x, y) => x.seconds - y.seconds || x.i - y.i)
        .slice(0, rolloutKept)
        .map((r) => r.cut);
    }
    let best: (Built & { cut: [number[], number[]] }) | null = null;
    for (const [before, after] of exhaustive ? ranked : picked) {
      const candidate = this.inSeries([this.build(before, greedy), this.build(after, greedy)]);
      if (!best || candidate.seconds < best.seconds - 1e-9) best = { ...candidate, cut: [before, after] };
    }
    if (!greedy) this.cutAdded.set(best!.node, this.addedBy(...best!.cut));
    return best!;
  }

  private inSeries(built: Built[]): Built {
    return {
      node: { kind: 'series', children: built.map((b) => b.node) },
      seconds: built.reduce((sum, b) => sum + b.seconds, 0),
    };
  }

  private enter(nodes: readonly number[]): number {
    this.stamp++;
    for (const v of nodes) this.mark[v] = this.stamp;
    return this.stamp;
  }

  private components(nodes: number[]): number[][] {
    const stamp = this.enter(nodes);
    // A node is visited once its mark moves past the set's stamp.
    const visited = stamp + 1;
    this.stamp++;
    const parts: number[][] = [];
    for (const start of nodes) {
      if (this.mark[start] === visited) continue;
      const part: number[] = [];
      const todo = [start];
      this.mark[start] = visited;
      while (todo.length > 0) {
        const v = todo.pop()!;
        part.push(v);
        for (const list of [this.up[v]!, this.down[v]!]) {
          for (const w of list) {
            if (this.mark[w] === stamp) {
              this.mark[w] = visited;
              todo.push(w);
            }
          }
        }
      }
      parts.push(part.sort((a, b) => a - b));
    }
    return parts;
  }

  /** Prefix lengths at which every task before precedes every task after. */
  private exactCuts(nodes: number[]): number[] {
    const scan = new CutScan(this, nodes);
    const cuts: number[] = [];
    for (let i = 0; i < nodes.length - 1; i++) {
      scan.moveToPrefix(nodes[i]!);
      if (scan.exact()) cuts.push(i + 1);
    }
    return cuts;
  }

  /**
   * Prefixes of orders that are all down-closed (topological; by earliest start and finish; by latest
   * start; for k > 1 also by earliest mid-point and latest finish), ranked by critical(prefix) +
   * critical(rest), then by fewest added orderings; the best `k` distinct ones, spread over the orders.
   */
  private cheapestCuts(nodes: number[], k: number): Array<[number[], number[]]> {
    const stamp = this.enter(nodes);
    const { est, tail, rank, dur } = this;
    nodes.forEach((v, i) => (rank[v] = i));
    for (const v of nodes) {
      let s = 0;
      for (const u of this.up[v]!) if (this.mark[u] === stamp) s = Math.max(s, est[u]! + dur[u]!);
      est[v] = s;
    }
    for (let i = nodes.length - 1; i >= 0; i--) {
      const v = nodes[i]!;
      let t = 0;
      for (const w of this.down[v]!) if (this.mark[w] === stamp) t = Math.max(t, tail[w]!);
      tail[v] = t + dur[v]!;
    }
    const byKey = (key: (v: number) => number): number[] =>
      [...nodes].sort((x, y) => key(x) - key(y) || rank[x]! - rank[y]!);
    const orders = [nodes, byKey((v) => est[v]!), byKey((v) => est[v]! + dur[v]!), byKey((v) => -tail[v]!)];
    // Worth their time only when several cuts are compared by decomposing them.
    if (k > 1)
      orders.push(
        byKey((v) => est[v]! + dur[v]! / 2),
        byKey((v) => dur[v]! - tail[v]!),
      );
    type Candidate = { cost: number; missing: number; order: number[]; size: number };
    const candidates: Candidate[] = [];
    const better = (a: Candidate, b: Candidate): boolean =>
      a.cost - b.cost < -1e-9 || (Math.abs(a.cost - b.cost) <= 1e-9 && a.missing < b.missing);
    for (const order of orders) {
      const suffixCritical = new Float64Array(order.length + 1);
      for (let i = order.length - 1; i >= 0; i--) {
        suffixCritical[i] = Math.max(suffixCritical[i + 1]!, tail[order[i]!]!);
      }
      const scan = new CutScan(this, order);
      let prefixCritical = 0;
      for (let i = 0; i < order.length - 1; i++) {
        const v = order[i]!;
        scan.moveToPrefix(v);
        prefixCritical = Math.max(prefixCritical, est[v]! + dur[v]!);
        const candidate = {
          cost: prefixCritical + suffixCritical[i + 1]!,
          missing: scan.missingPairs(),
          order,
          size: i + 1,
        };
        if (k > 1) candidates.push(candidate);
        else if (!candidates[0] || better(candidate, candidates[0])) candidates[0] = candidate;
      }
    }
    candidates.sort((a, b) => a.cost - b.cost || a.missing - b.missing);
    const chosen: Array<[number[], number[]]> = [];
    const seen = new Set<string>();
    // Spread the candidates: near-equal prefixes of one order are nearly the same cut.
    const spacing = Math.max(1, Math.floor(nodes.length / (4 * k)));
    const taken: Array<{ order: number[]; size: number }> = [];
    // The cheapest by this bound are often all from one order; the bound misleads, so keep variety.
    const perOrder = Math.ceil(k / orders.length);
    for (const c of candidates) {
      const fromOrder = taken.filter((t) => t.order === c.order);
      if (fromOrder.length >= perOrder || fromOrder.some((t) => Math.abs(t.size - c.size) < spacing))
        continue;
      const prefix = new Set(c.order.slice(0, c.size));
      const before = nodes.filter((v) => prefix.has(v));
      const key = before.join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      taken.push(c);
      chosen.push([before, nodes.filter((v) => !prefix.has(v))]);
      if (chosen.length === k) break;
    }
    return chosen;
  }

  /** The cut makes every last task of `before` precede every first task of `after`. */
  private addedBy(before: number[], after: number[]): AddedOrdering[] {
    const added: AddedOrdering[] = [];
    const stamp = this.enter(before);
    const sinks = before.filter((v) => !this.down[v]!.some((w) => this.mark[w] === stamp));
    const afterStamp = this.enter(after);
    const sources = after.filter((v) => !this.up[v]!.some((u) => this.mark[u] === afterStamp));
    for (const a of sinks) {
      for (const b of sources) {
        if (!this.edgeSet.has(`${a}>${b}`)) added.push({ before: this.ids[a]!, after: this.ids[b]! });
      }
    }
    return added;
  }

  /** Numbers the nodes 0.. for a CutScan and marks them as the current set. */
  number(nodes: readonly number[]): void {
    this.enter(nodes);
    nodes.forEach((v, i) => (this.position[v] = i));
  }

  /** The node's number in the current set, or -1 when it is outside. */
  local(v: number): number {
    return this.mark[v] === this.stamp ? this.position[v]! : -1;
  }

  neighbours(v: number): { up: readonly number[]; down: readonly number[] } {
    return { up: this.up[v]!, down: this.down[v]! };
  }
}

/**
 * Moves tasks one by one from the rest (B) into a down-closed prefix (A) and keeps the counts that
 * tell whether the cut is exact: A's sinks, B's sources, edges A->B, and those leaving a sink or
 * entering a source. Exact means the crossing edges are exactly all sink -> source pairs.
 */
class CutScan {
  private readonly succInA: Int32Array;
  private readonly predInB: Int32Array;
  private readonly outToB: Int32Array;
  private readonly inFromA: Int32Array;
  private sinks = 0;
  private sources = 0;
  private cross = 0;
  private sinkCross = 0;
  private sourceCross = 0;

  constructor(
    private readonly graph: Decomposer,
    nodes: readonly number[],
  ) {
    graph.number(nodes);
    const m = nodes.length;
    this.succInA = new Int32Array(m);
    this.predInB = new Int32Array(m);
    this.outToB = new Int32Array(m);
    this.inFromA = new Int32Array(m);
    for (const v of nodes) {
      let preds = 0;
      for (const u of graph.neighbours(v).up) if (graph.local(u) >= 0) preds++;
      this.predInB[graph.local(v)] = preds;
      if (preds === 0) this.sources++;
    }
  }

  /** `w` must have all its predecessors (within the set) already in A. */
  moveToPrefix(w: number): void {
    const { up, down } = this.graph.neighbours(w);
    const lw = this.graph.local(w);
    this.sources--;
    this.sourceCross -= this.inFromA[lw]!;
    this.cross -= this.inFromA[lw]!;
    for (const p of up) {
      const lp = this.graph.local(p);
      if (lp < 0) continue;
      const wasSink = this.succInA[lp] === 0;
      this.outToB[lp] = this.outToB[lp]! - 1;
      if (wasSink) {
        this.sinkCross -= 1 + this.outToB[lp]!;
        this.sinks--;
      }
      this.succInA[lp] = this.succInA[lp]! + 1;
    }
    this.sinks++;
    let out = 0;
    for (const t of down) {
      const lt = this.graph.local(t);
      if (lt < 0) continue;
      out++;
      this.inFromA[lt] = this.inFromA[lt]! + 1;
      this.predInB[lt] = this.predInB[lt]! - 1;
      if (this.predInB[lt] === 0) {
        this.sources++;
        this.sourceCross += this.inFromA[lt]!;
      }
    }
    this.outToB[lw] = out;
    this.cross += out;
    this.sinkCross += out;
  }

  exact(): boolean {
    return (
      this.cross === this.sinks * this.sources &&
      this.sinkCross === this.cross &&
      this.sourceCross === this.cross
    );
  }

  /** Sink -> source pairs the cut would add (an estimate when other edges cross too). */
  missingPairs(): number {
    return this.sinks * this.sources - Math.min(this.sinkCross, this.sourceCross);
  }
}
