/**
 * Where each node of a DAG file starts and ends in its text, whichever YAML library read it, and the
 * lookups diagnostics need: a path in the document to a line and column. Nodes live in flat arrays
 * (a 5 MB file has about a million of them; an object each would keep the garbage collector busy).
 */

export type Path = ReadonlyArray<string | number>;

export interface LineCol {
  line: number;
  col: number;
}

/** What a node is, as far as paths go: a leaf (scalar, alias, empty), a sequence or a mapping. */
export const LEAF = 0;
export const SEQUENCE = 1;
export const MAPPING = 2;

/** No node. */
export const NONE = -1;

/** Mappings with more pairs than this get a Map from key to pair on first lookup. */
const SCAN_LIMIT = 8;

/** Per node: start, end, kind, where its parts are (-1: none). */
const STRIDE = 4;

/** The nodes of one document: offsets, kinds and parts, in two integer arrays. */
export class SourceTree {
  private nodes: Int32Array<ArrayBuffer>;
  private size = 0;
  /** Per node with parts: how many, where its key names begin, then the parts. */
  private parts: Int32Array<ArrayBuffer>;
  private partsLength = 0;
  /** A mapping's key names, one a pair. */
  private readonly names: string[] = [];
  private readonly indexes = new Map<number, Map<string, number>>();
  root = NONE;

  /** Room for about `expected` nodes at first (growing an array buffer costs a full collection). */
  constructor(expected = 1024) {
    this.nodes = new Int32Array(STRIDE * expected);
    this.parts = new Int32Array(2 * expected);
  }

  /** A node from `start` to `end` (-1: no place known). */
  add(start: number, end: number, kind: number): number {
    if (this.size * STRIDE === this.nodes.length) this.nodes = grown(this.nodes);
    const id = this.size++;
    const at = id * STRIDE;
    this.nodes[at] = start;
    this.nodes[at + 1] = end;
    this.nodes[at + 2] = kind;
    this.nodes[at + 3] = -1;
    return id;
  }

  start = (id: number): number => this.nodes[id * STRIDE]!;
  end = (id: number): number => this.nodes[id * STRIDE + 1]!;
  kind = (id: number): number => this.nodes[id * STRIDE + 2]!;

  /**
   * Sets the parts of `id` to `list[from..to)`: a mapping's keys and values in turn (NONE: a key
   * without a value node), with the names its keys read as; a sequence's items.
   */
  setParts(id: number, list: ArrayLike<number>, from = 0, to = list.length, names: string[] = []): void {
    while (this.partsLength + 2 + to - from > this.parts.length) this.parts = grown(this.parts);
    const { parts } = this;
    this.nodes[id * STRIDE + 3] = this.partsLength;
    parts[this.partsLength++] = to - from;
    parts[this.partsLength++] = this.names.length;
    for (let i = from; i < to; i++) parts[this.partsLength++] = list[i]!;
    for (const name of names) this.names.push(name);
  }

  /** The key and value of the pair of mapping `id` whose key reads as `name` (the last such pair). */
  pair(id: number, name: string): [key: number, value: number] | undefined {
    const at = this.nodes[id * STRIDE + 3]!;
    if (at < 0) return undefined;
    const pairs = this.parts[at]! / 2;
    const names = this.parts[at + 1]!;
    let found = -1;
    if (pairs > SCAN_LIMIT) {
      let index = this.indexes.get(id);
      if (!index) {
        index = new Map();
        for (let i = 0; i < pairs; i++) index.set(this.names[names + i]!, i);
        this.indexes.set(id, index);
      }
      found = index.get(name) ?? -1;
    } else {
      for (let i = pairs - 1; i >= 0 && found < 0; i--) if (this.names[names + i] === name) found = i;
    }
    return found < 0 ? undefined : [this.parts[at + 2 + 2 * found]!, this.parts[at + 3 + 2 * found]!];
  }

  /** Item `index` of sequence `id`, or NONE. */
  item(id: number, index: number): number {
    const at = this.nodes[id * STRIDE + 3]!;
    return at >= 0 && Number.isInteger(index) && index >= 0 && index < this.parts[at]!
      ? this.parts[at + 2 + index]!
      : NONE;
  }
}

function grown(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

export class SourceMap {
  /** The source text of each node searched so far, sliced once. */
  private readonly sources = new Map<number, string>();

  constructor(
    private readonly text: string,
    private readonly tree: SourceTree,
    private readonly linePos: (offset: number) => LineCol,
    /** Which library's reading the offsets come from. */
    readonly reader: 'js-yaml' | 'yaml',
  ) {}

  /**
   * Where the node at `path` starts (1-based). With `key`, the position of the map key itself (for
   * unknown keys and ids). When the path leaves the document (a missing field), the deepest node
   * found: the key of the pair that holds the missing field, so "missing action" points at the task.
   */
  locate(path: Path, options: { key?: boolean } = {}): LineCol {
    const { tree } = this;
    let node = tree.root;
    let anchor = node;
    for (let i = 0; i < path.length && node !== NONE; i++) {
      const segment = path[i]!;
      let next = NONE;
      let keyNode = NONE;
      if (tree.kind(node) === MAPPING) {
        const pair = tree.pair(node, String(segment));
        if (pair) {
          [keyNode, next] = pair;
          if (next === NONE) next = keyNode;
        }
      } else if (tree.kind(node) === SEQUENCE && typeof segment === 'number') {
        next = tree.item(node, segment);
      }
      if (next === NONE) break;
      node = next;
      anchor = i === path.length - 1 && !options.key ? next : keyNode !== NONE ? keyNode : next;
    }
    return this.position(anchor);
  }

  /**
   * Where `needle` (text inside the string at `path`, e.g. one `{{ ... }}`) starts in the source, when
   * the scalar holds it verbatim; else where the string starts.
   */
  locateWithin(path: Path, needle: string, index = 0): LineCol {
    const node = this.nodeAt(path);
    const start = node === NONE ? -1 : this.tree.start(node);
    if (start >= 0) {
      let source = this.sources.get(node);
      if (source === undefined) {
        source = this.text.slice(start, this.tree.end(node));
        this.sources.set(node, source);
      }
      // Escapes only make the source longer than the value: searching from the value's index finds
      // the needle at once, however many problems one long string holds.
      let at = source.indexOf(needle, index);
      if (at < 0) at = source.indexOf(needle);
      if (at >= 0) return this.linePos(start + at);
    }
    return this.locate(path);
  }

  /** The node at `path`, or NONE. */
  private nodeAt(path: Path): number {
    const { tree } = this;
    let node = tree.root;
    for (const segment of path) {
      if (node === NONE) return NONE;
      if (tree.kind(node) === MAPPING) node = tree.pair(node, String(segment))?.[1] ?? NONE;
      else if (tree.kind(node) === SEQUENCE && typeof segment === 'number') node = tree.item(node, segment);
      else return NONE;
    }
    return node;
  }

  /** Position of a node's first character; 1:1 when there is no node at all. */
  private position(node: number): LineCol {
    const start = node === NONE ? -1 : this.tree.start(node);
    if (start < 0) return { line: 1, col: 1 };
    return this.linePos(Math.min(start, this.text.length));
  }
}

/** Line and column (1-based) of an offset, with lines ending at each LF. */
export function lineCounter(text: string): (offset: number) => LineCol {
  let starts: number[] | undefined;
  return (offset) => {
    if (!starts) {
      starts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    }
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, col: offset - starts[low]! + 1 };
  };
}
