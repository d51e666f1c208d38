import { load as loadYaml } from 'js-yaml';
import type { Schema, State } from 'js-yaml';
import { LEAF, MAPPING, NONE, SEQUENCE, SourceTree } from './source-map.ts';

/**
 * The place of every node, read by js-yaml itself through its listener: each node it composes opens
 * and closes once, with what it read. A node's parts are the nodes composed while it was open: a
 * block mapping's keys and values in turn, a flow mapping's keys each followed by its value when a
 * `:` follows the key, a sequence's items. js-yaml also tries a node as the first key of a block
 * mapping before it knows there is none: that try composes the node itself (kept, the outer one
 * only passes it on) or nothing (dropped).
 *
 * Only for text js-yaml reads without error. Returns undefined when the reading does not line up
 * with the data (an empty `-` item composes nothing, for one) or the document is empty: the caller
 * then asks yaml.
 */
export function jsYamlSourceTree(text: string, schema: Schema): SourceTree | undefined {
  const reader = new Reader(text);
  try {
    loadYaml(text, { schema, listener: (event, state) => reader.on(event, state) });
  } catch (error) {
    if (error === MISALIGNED) return undefined;
    throw error;
  }
  // An empty document: yaml places its empty node after a `---`, which js-yaml skips unseen.
  return reader.tree.root !== NONE && reader.rootRead !== EMPTY ? reader.tree : undefined;
}

const MISALIGNED = new Error('the js-yaml reading does not line up with its data');

/** What js-yaml read for a node (its state.kind), or EMPTY for nothing. */
const EMPTY = 0;
const SCALAR = 1;
const LIST = 2;
const MAP = 3;
const READ: Record<string, number> = { scalar: SCALAR, sequence: LIST, mapping: MAP };

class Reader {
  readonly tree: SourceTree;
  /** What the root read as. */
  rootRead = EMPTY;
  /**
   * Per node open now: where js-yaml stood when it began it (before any space that separates it),
   * and where in `composed` its parts begin.
   */
  private readonly opens: number[] = [];
  private readonly marks: number[] = [];
  /**
   * Nodes composed and not yet claimed by the node they were composed in: id, read, value. A stack
   * of `top` entries (setting an array's length costs a call into the runtime).
   */
  private readonly composed: number[] = [];
  private readonly reads: number[] = [];
  private readonly values: unknown[] = [];
  private top = 0;
  private readonly pairs: number[] = [];
  private readonly names: string[] = [];

  constructor(private readonly text: string) {
    // A DAG file has about a node for every 8 characters.
    this.tree = new SourceTree(1024 + (text.length >> 3));
  }

  on(event: 'open' | 'close', state: State): void {
    if (event === 'open') {
      this.opens.push(state.position);
      this.marks.push(this.top);
      return;
    }
    const open = this.opens.pop()!;
    const mark = this.marks.pop()!;
    const read = state.kind ? (READ[state.kind] ?? SCALAR) : EMPTY;
    const value: unknown = read === EMPTY ? null : state.result;
    const node = this.close(open, mark, read, value, state.position);
    this.top = mark;
    if (this.opens.length === 0) {
      this.tree.root = node;
      this.rootRead = read;
    } else {
      this.composed[this.top] = node;
      this.reads[this.top] = read;
      this.values[this.top++] = value;
    }
  }

  /** The node js-yaml just closed: one of its parts when it only passes that on, else a new one. */
  private close(open: number, mark: number, read: number, value: unknown, end: number): number {
    const { tree, text, composed, reads, values, top } = this;
    const count = top - mark;
    if (read === EMPTY) {
      // Nothing there: yaml places the empty node after the spaces on the same line.
      const start = skipSpaces(text, open);
      return tree.add(start, start, LEAF);
    }
    if (count === 1 && reads[mark] === read && Object.is(values[mark], value)) return composed[mark]!;
    const start = skipSeparation(text, open);
    if (read === SCALAR) {
      for (let i = mark; i < top; i++) if (reads[i] !== EMPTY) throw MISALIGNED;
      return tree.add(start, end, LEAF);
    }
    if (read === LIST) {
      const items = value as unknown[];
      if (count !== items.length) throw MISALIGNED;
      for (let i = 0; i < count; i++) if (!Object.is(values[mark + i], items[i])) throw MISALIGNED;
      const id = tree.add(start, end, SEQUENCE);
      tree.setParts(id, composed, mark, top);
      return id;
    }
    const id = tree.add(start, end, MAPPING);
    this.mappingParts(id, text.charCodeAt(start) === 0x7b /* { */, mark, value as Record<string, unknown>);
    return id;
  }

  /**
   * A mapping's parts as key, value, key, value... (a flow mapping's key without `:` gets no value;
   * a block mapping's last try at one more key is dropped), checked against the data.
   */
  private mappingParts(id: number, flow: boolean, mark: number, data: Record<string, unknown>): void {
    const { tree, text, composed, reads, values, pairs, names, top } = this;
    pairs.length = names.length = 0;
    let i = mark;
    while (i < top) {
      if (reads[i] === EMPTY && !flow) break;
      if (reads[i] !== SCALAR) throw MISALIGNED;
      const key = composed[i]!;
      const hasValue = !flow || text.charCodeAt(skipSeparation(text, tree.end(key))) === 0x3a; /* : */
      if (hasValue && i + 1 >= top) throw MISALIGNED;
      const name = String(values[i]);
      if (!Object.prototype.hasOwnProperty.call(data, name)) throw MISALIGNED;
      if (!Object.is(hasValue ? values[i + 1] : null, data[name])) throw MISALIGNED;
      pairs.push(key, hasValue ? composed[i + 1]! : NONE);
      names.push(name);
      i += hasValue ? 2 : 1;
    }
    for (; i < top; i++) if (reads[i] !== EMPTY) throw MISALIGNED;
    if (Object.keys(data).length !== names.length) throw MISALIGNED;
    tree.setParts(id, pairs, 0, pairs.length, names);
  }
}

/** Past spaces and tabs. */
function skipSpaces(text: string, at: number): number {
  let i = at;
  for (let c = text.charCodeAt(i); c === 0x20 || c === 0x09; c = text.charCodeAt(++i));
  return i;
}

/** Past what js-yaml skips between nodes: spaces, tabs, comments and line breaks. */
function skipSeparation(text: string, at: number): number {
  let i = at;
  for (;;) {
    i = skipSpaces(text, i);
    let c = text.charCodeAt(i);
    if (c === 0x23 /* # */) {
      while (i < text.length && c !== 0x0a && c !== 0x0d) c = text.charCodeAt(++i);
    }
    if (c !== 0x0a && c !== 0x0d) return i;
    i++;
  }
}
