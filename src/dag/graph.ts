/**
 * Graph algorithms over task ids and dependency edges [upstream, downstream]. Pure and
 * deterministic: nodes are numbered in sorted id order and every tie is broken by that order.
 * All run in O(V + E), except transitive reduction (O(V·E/32) with bitsets).
 */

export interface Graph {
  /** Task ids, sorted; a node's number is its index here. */
  readonly ids: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  /** Direct upstream / downstream node numbers of each node, ascending, without duplicates. */
  readonly up: readonly (readonly number[])[];
  readonly down: readonly (readonly number[])[];
}

/** Builds a graph; edges naming an unknown id are ignored (validation reports them). */
export function buildGraph(ids: Iterable<string>, edges: Iterable<readonly [string, string]>): Graph {
  const sorted = [...new Set(ids)].sort();
  const index = new Map(sorted.map((id, i) => [id, i]));
  const up: number[][] = sorted.map(() => []);
  const down: number[][] = sorted.map(() => []);
  for (const [from, to] of edges) {
    const f = index.get(from);
    const t = index.get(to);
    if (f === undefined || t === undefined) continue;
    up[t]!.push(f);
    down[f]!.push(t);
  }
  const tidy = (list: number[]): number[] => [...new Set(list)].sort((a, b) => a - b);
  return { ids: sorted, index, up: up.map(tidy), down: down.map(tidy) };
}

/**
 * One cycle per strongly connected component that has one (self-loops included), each as a path
 * that starts and ends at the component's smallest id, following edges upstream -> downstream:
 * ['a', 'b', 'a'] means b depends on a and a on b. Empty when the graph is acyclic.
 */
export function findCycles(g: Graph): string[][] {
  const cycles: string[][] = [];
  for (const component of stronglyConnected(g)) {
    const start = component[0]!;
    if (component.length === 1 && !g.down[start]!.includes(start)) continue;
    const inComponent = new Set(component);
    cycles.push(shortestCycleThrough(g, start, inComponent).map((n) => g.ids[n]!));
  }
  return cycles.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

export const findCycle = (g: Graph): string[] | null => findCycles(g)[0] ?? null;

/** Components (node numbers, ascending) by Tarjan's algorithm, iterative so deep chains cannot overflow. */
function stronglyConnected(g: Graph): number[][] {
  const n = g.ids.length;
  const order = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (order[root] !== -1) continue;
    const work: Array<[node: number, next: number]> = [[root, 0]];
    order[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [v, i] = frame;
      const next = g.down[v]!;
      if (i < next.length) {
        frame[1]++;
        const w = next[i]!;
        if (order[w] === -1) {
          order[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v]!, order[w]!);
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]![0];
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] === order[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        components.push(component.sort((a, b) => a - b));
      }
    }
  }
  return components;
}

/** Breadth-first from `start` back to itself inside one component: a shortest cycle, deterministic. */
function shortestCycleThrough(g: Graph, start: number, within: ReadonlySet<number>): number[] {
  const parent = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (const w of g.down[v]!) {
      if (w === start) {
        const back: number[] = [];
        for (let x = v; x !== start; x = parent.get(x)!) back.push(x);
        return [start, ...back.reverse(), start];
      }
      if (!within.has(w) || parent.has(w)) continue;
      parent.set(w, v);
      queue.push(w);
    }
  }
  return [start, start];
}

/**
 * Kahn's algorithm with a min-heap: among ready tasks the smallest id goes first, so the order is
 * deterministic. Throws when the graph has a cycle (validate first).
 */
export function topologicalOrder(g: Graph): string[] {
  return topologicalNumbers(g).map((n) => g.ids[n]!);
}

function topologicalNumbers(g: Graph): number[] {
  const n = g.ids.length;
  const pending = Int32Array.from(g.up, (u) => u.length);
  const heap = new MinHeap();
  for (let v = 0; v < n; v++) if (pending[v] === 0) heap.push(v);
  const order: number[] = [];
  while (heap.size > 0) {
    const v = heap.pop();
    order.push(v);
    for (const w of g.down[v]!) if (--pending[w]! === 0) heap.push(w);
  }
  if (order.length !== n) throw new Error('topologicalOrder: the graph has a cycle');
  return order;
}

/** Every task `id` depends on, directly or transitively. */
export function ancestors(g: Graph, id: string): Set<string> {
  const start = g.index.get(id);
  const seen = new Set<number>();
  if (start === undefined) return new Set();
  const todo = [...g.up[start]!];
  while (todo.length > 0) {
    const v = todo.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    for (const u of g.up[v]!) todo.push(u);
  }
  return new Set([...seen].map((n) => g.ids[n]!));
}

/** Above this many tasks, an ancestor matrix (n²/8 bytes) is not built; queries search instead. */
const MATRIX_LIMIT = 16_384;

/**
 * A reusable "does `task` depend on `ancestor`, directly or transitively?" test. Direct edges answer
 * at once; otherwise an ancestor bitset matrix is built on first need (acyclic graphs up to
 * MATRIX_LIMIT tasks), else each query searches upstream from `task`.
 */
export function upstreamQuery(g: Graph): (ancestor: string, task: string) => boolean {
  let matrix: { words: number; bits: Uint32Array } | null | undefined;
  return (ancestor, task) => {
    const a = g.index.get(ancestor);
    const t = g.index.get(task);
    if (a === undefined || t === undefined || a === t) return false;
    if (binarySearch(g.up[t]!, a)) return true;
    if (matrix === undefined) matrix = buildAncestorMatrix(g);
    if (matrix) return (matrix.bits[t * matrix.words + (a >>> 5)]! & (1 << (a & 31))) !== 0;
    return ancestors(g, task).has(ancestor);
  };
}

function buildAncestorMatrix(g: Graph): { words: number; bits: Uint32Array } | null {
  const n = g.ids.length;
  if (n > MATRIX_LIMIT || findCycle(g) !== null) return null;
  const words = (n + 31) >>> 5;
  const bits = new Uint32Array(n * words);
  for (const v of topologicalNumbers(g)) {
    const row = v * words;
    for (const u of g.up[v]!) {
      bits[row + (u >>> 5)]! |= 1 << (u & 31);
      const other = u * words;
      for (let i = 0; i < words; i++) bits[row + i]! |= bits[other + i]!;
    }
  }
  return { words, bits };
}

function binarySearch(sorted: readonly number[], value: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] === value) return true;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

export const roots = (g: Graph): string[] => g.ids.filter((_, i) => g.up[i]!.length === 0);
export const leaves = (g: Graph): string[] => g.ids.filter((_, i) => g.down[i]!.length === 0);

/** Target columns per pass of transitiveReduction: bounds its memory to n × 1 KiB per pass. */
const REDUCTION_COLUMNS = 8192;

/**
 * The edges left when every edge implied by a longer path is removed, sorted. For each node, its
 * successors are visited in topological order; one already reachable from an earlier successor is
 * redundant. Reachability is a bitset per node over topological positions, filled in reverse
 * topological order. A node reaches only later positions, so each row keeps the range of words it
 * uses and only that range is cleared, merged and copied: on DAGs whose edges join nearby tasks the
 * work grows with the edges, not with n². Large graphs take one pass per band of target positions,
 * so memory stays linear in the node count; a pass skips the nodes after its band (they reach none of it).
 */
export function transitiveReduction(g: Graph, bandColumns = REDUCTION_COLUMNS): Array<[string, string]> {
  const n = g.ids.length;
  const order = topologicalNumbers(g);
  const position = new Int32Array(n);
  order.forEach((v, i) => (position[v] = i));
  // Edge slots number g.down in node order; per position, its successors' positions ascending, each
  // with its edge's slot (typed arrays, insertion-sorted: out-degrees are small).
  const firstSlot = new Int32Array(n + 1);
  for (let v = 0; v < n; v++) firstSlot[v + 1] = firstSlot[v]! + g.down[v]!.length;
  const start = new Int32Array(n + 1);
  const targetPosition = new Int32Array(firstSlot[n]!);
  const targetSlot = new Int32Array(firstSlot[n]!);
  for (let k = 0; k < n; k++) {
    const v = order[k]!;
    const down = g.down[v]!;
    let end = start[k]!;
    for (let j = 0; j < down.length; j++, end++) {
      const p = position[down[j]!]!;
      let i = end;
      for (; i > start[k]! && targetPosition[i - 1]! > p; i--) {
        targetPosition[i] = targetPosition[i - 1]!;
        targetSlot[i] = targetSlot[i - 1]!;
      }
      targetPosition[i] = p;
      targetSlot[i] = firstSlot[v]! + j;
    }
    start[k + 1] = end;
  }
  const kept = new Uint8Array(firstSlot[n]!);
  for (let first = 0; first < n; first += bandColumns) {
    const last = Math.min(n, first + bandColumns);
    const words = (last - first + 31) >>> 5;
    const reach = new Uint32Array(last * words);
    const low = new Int32Array(last).fill(words);
    const high = new Int32Array(last).fill(-1);
    const covered = new Uint32Array(words);
    for (let k = last - 1; k >= 0; k--) {
      let from = words;
      let to = -1;
      for (let t = start[k]!; t < start[k + 1]!; t++) {
        const p = targetPosition[t]!;
        if (p >= last) break;
        const own = p >= first ? (p - first) >>> 5 : words;
        from = Math.min(from, own, low[p]!);
        to = Math.max(to, p >= first ? own : -1, high[p]!);
      }
      if (to < from) continue;
      covered.fill(0, from, to + 1);
      for (let t = start[k]!; t < start[k + 1]!; t++) {
        const p = targetPosition[t]!;
        if (p >= last) break;
        if (p >= first) {
          const bit = p - first;
          const mask = 1 << (bit & 31);
          if (!(covered[bit >>> 5]! & mask)) kept[targetSlot[t]!] = 1;
          covered[bit >>> 5]! |= mask;
        }
        const row = p * words;
        for (let i = low[p]!, end = high[p]!; i <= end; i++) covered[i]! |= reach[row + i]!;
      }
      reach.set(covered.subarray(from, to + 1), k * words + from);
      low[k] = from;
      high[k] = to;
    }
  }
  // Node numbers follow sorted ids and g.down is ascending, so this walk yields the edges sorted.
  const edges: Array<[string, string]> = [];
  for (let v = 0; v < n; v++) {
    const down = g.down[v]!;
    for (let j = 0; j < down.length; j++)
      if (kept[firstSlot[v]! + j]) edges.push([g.ids[v]!, g.ids[down[j]!]!]);
  }
  return edges;
}

/**
 * The heaviest path, where a path's weight is the sum of its tasks' weights (seconds). Ties go to
 * the path through smaller ids. Throws when the graph has a cycle.
 */
export function criticalPath(g: Graph, weight: (id: string) => number): { tasks: string[]; seconds: number } {
  const n = g.ids.length;
  if (n === 0) return { tasks: [], seconds: 0 };
  const best = new Float64Array(n);
  const via = new Int32Array(n).fill(-1);
  for (const v of topologicalNumbers(g)) {
    let from = -1;
    let base = 0;
    for (const u of g.up[v]!) {
      if (from === -1 || best[u]! > base) {
        from = u;
        base = best[u]!;
      }
    }
    via[v] = from;
    best[v] = base + weight(g.ids[v]!);
  }
  let end = 0;
  for (let v = 1; v < n; v++) if (best[v]! > best[end]!) end = v;
  const tasks: string[] = [];
  for (let v = end; v !== -1; v = via[v]!) tasks.push(g.ids[v]!);
  return { tasks: tasks.reverse(), seconds: best[end]! };
}

class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const items = this.items;
    let i = items.push(value) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= value) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = value;
  }

  pop(): number {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= items.length) break;
        const right = left + 1;
        const child = right < items.length && items[right]! < items[left]! ? right : left;
        if (items[child]! >= last) break;
        items[i] = items[child]!;
        i = child;
      }
      items[i] = last;
    }
    return top;
  }
}
