import { FAILSAFE_SCHEMA, load as loadYaml, Type } from 'js-yaml';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Document, Node, Pair, Scalar } from 'yaml';
import type { Diagnostic } from './diagnostics.ts';

/** A DAG file read as YAML (JSON is YAML too), with what is needed to point at any node. */
export interface ParsedFile {
  file: string;
  text: string;
  /** The document as plain data; undefined when nothing could be read. */
  value: unknown;
  /** Syntax errors, duplicate keys and YAML warnings, all of them. */
  diagnostics: Diagnostic[];
  /** Which library read the value: js-yaml (the fast path) or yaml. */
  reader: 'js-yaml' | 'yaml';
  /** The document with the position of every node: built on first use, as only diagnostics need it. */
  positions(): Positions;
}

interface Positions {
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

export type Path = ReadonlyArray<string | number>;

/**
 * Reads a file with js-yaml (several times faster than yaml's CST parser) when it holds nothing
 * the two libraries could read differently; otherwise, or when js-yaml finds any problem, with
 * yaml, which keeps positions and reports every problem at once.
 */
export function parseFile(source: string, file: string): ParsedFile {
  // Editors do not count a byte-order mark as a column.
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  const value = fastValue(text);
  if (value === NOT_READ) return parseWithPositions(text, file);
  let positions: Positions | undefined;
  return {
    file,
    text,
    value,
    diagnostics: [],
    reader: 'js-yaml',
    positions: () => (positions ??= readPositions(text)),
  };
}

/** js-yaml reads a CR alone as a line break, and a byte-order mark inside the text as nothing. */
const READ_DIFFERENTLY = /\r(?!\n)|\uFEFF/;

/**
 * Outside comment lines, what the two libraries read differently or only yaml checks: anchors (an
 * alias can multiply the document, and yaml limits how far aliases expand), tags, directives
 * (%YAML 1.1 changes the schema), tabs as indentation, quoted strings over several lines (js-yaml
 * accepts them less indented than YAML allows), content on a `---` line, explicit `?` keys, null or
 * empty keys, and flow collections as keys (yaml and js-yaml turn them into different strings). A
 * match inside a string only costs the fast path.
 */
const NEEDS_YAML = [
  /(?:^|[\s[{,:])[&!]/m,
  /^%/m,
  /^ *\t/m,
  /(?:^|[\s[{,:])"(?:[^"\\\r\n]|\\.)*\\?\r?$/m,
  /(?:^|[\s[{,:])'(?:[^'\r\n]|'')*\r?$/m,
  /^(?:---(?![ \t]*\r?$|[ \t]+#)|\.\.\.)/m,
  /(?:^|[\s[{,])(?:\?|(?:~|null|Null|NULL)?:)(?:\s|$)/m,
  /[\]}][ \t]*:/,
  /(?:[:?-][ \t]+|^[ \t]*|[[{,][ \t]*)\{\s*[{[]/m,
  /,\s*[{[]/,
];

function needsYaml(text: string): boolean {
  if (READ_DIFFERENTLY.test(text)) return true;
  const code = text.includes('#') ? text.replace(/^ *#.*$/gm, '') : text;
  return NEEDS_YAML.some((pattern) => pattern.test(code)) || opensFlowOverLines(code);
}

/**
 * A flow collection continued on the next line: js-yaml accepts the continuation less indented than
 * YAML allows (a line opening more brackets than it closes takes the yaml path).
 */
function opensFlowOverLines(code: string): boolean {
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x0a) {
      if (depth > 0) return true;
      depth = 0;
    }
  }
  return depth > 0;
}

const NOT_READ = Symbol('not read');

/**
 * Plain scalars of YAML 1.2's core schema, resolved exactly as yaml does (js-yaml's core schema also
 * reads `1_000`, `-0x1F` and `0b1` as numbers).
 */
const coreScalar = (tag: string, test: RegExp, construct: (text: string) => unknown): Type =>
  new Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    resolve: (text: string) => test.test(text),
    construct,
  });
const CORE_SCHEMA = FAILSAFE_SCHEMA.extend({
  implicit: [
    coreScalar('null', /^(?:~|[Nn]ull|NULL)?$/, () => null),
    coreScalar('bool', /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T'),
    coreScalar('int', /^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+)$/, (s) =>
      s[1] === 'o' ? parseInt(s.slice(2), 8) : s[1] === 'x' ? parseInt(s.slice(2), 16) : parseInt(s, 10),
    ),
    coreScalar(
      'float',
      /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/,
      (s) =>
        /nan$/i.test(s) ? NaN : /inf$/i.test(s) ? (s[0] === '-' ? -Infinity : Infinity) : parseFloat(s),
    ),
  ],
});

function fastValue(text: string): unknown {
  if (needsYaml(text)) return NOT_READ;
  try {
    // Throws on any syntax error, a second document and duplicate keys.
    return loadYaml(text, { schema: CORE_SCHEMA }) ?? null;
  } catch {
    return NOT_READ;
  }
}

function readPositions(text: string): Positions {
  const lineCounter = new LineCounter();
  // yaml's own uniqueKeys check is quadratic in a map's size (10,000 tasks: seconds); ours is linear.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: true, logLevel: 'error' });
  return { doc, lineCounter };
}

function parseWithPositions(text: string, file: string): ParsedFile {
  const positions = readPositions(text);
  const { doc, lineCounter } = positions;
  const diagnostics: Diagnostic[] = [...doc.errors, ...doc.warnings].map((error) => {
    const { line, col } = lineCounter.linePos(Math.min(error.pos[0], text.length));
    return { file, line, col, path: [], message: yamlMessage(error.code, error.message) };
  });
  for (const key of duplicateKeys(doc.contents)) {
    const { line, col } = lineCounter.linePos(Math.min(key.range?.[0] ?? 0, text.length));
    diagnostics.push({ file, line, col, path: [], message: `duplicate key '${String(key.value)}'` });
  }
  const loops = selfAliases(doc);
  for (const alias of loops) {
    const { line, col } = lineCounter.linePos(Math.min(alias.range?.[0] ?? 0, text.length));
    diagnostics.push({
      file,
      line,
      col,
      path: [],
      message: `alias *${alias.source} refers to a node that contains it (a DAG file is a tree)`,
    });
  }
  let value: unknown;
  try {
    value = loops.length > 0 ? undefined : doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    value = undefined;
    diagnostics.push({
      file,
      line: 1,
      col: 1,
      path: [],
      message: `cannot read the document: ${errorText(error)}`,
    });
  }
  return { file, text, value, diagnostics, reader: 'yaml', positions: () => positions };
}

/** Aliases inside the node their anchor names: read as data, they would make a cycle. */
function selfAliases(
  doc: Document.Parsed,
): Array<{ source: string; range?: [number, number, number] | null }> {
  const found: Array<{ source: string; range?: [number, number, number] | null }> = [];
  visit(doc, {
    Alias(_key, alias, path) {
      const target = alias.resolve(doc);
      if (target !== undefined && path.includes(target)) found.push(alias);
    },
  });
  return found;
}

/** Every scalar key that repeats an earlier key of the same mapping, anywhere in the document. */
function duplicateKeys(root: unknown): Scalar[] {
  const found: Scalar[] = [];
  const todo: unknown[] = [root];
  while (todo.length > 0) {
    const node = todo.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          const key = String(pair.key.value);
          if (seen.has(key)) found.push(pair.key);
          seen.add(key);
        }
        todo.push(pair.value);
      }
    } else if (isSeq(node)) {
      todo.push(...node.items);
    }
  }
  return found;
}

function yamlMessage(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'a DAG file holds one YAML document; this is a second one';
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?\s*$/, '');
  return `YAML: ${first}`;
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const pairIndex = new WeakMap<object, Map<string, Pair>>();

/** The pair of `map` whose key reads as `key` (the last one, as in the data when keys repeat). */
function pairOf(map: { items: unknown[] }, key: string): Pair | undefined {
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const item of map.items) {
      if (!isPair(item)) continue;
      const k = isScalar(item.key) ? String(item.key.value) : String(item.key);
      index.set(k, item);
    }
    pairIndex.set(map, index);
  }
  return index.get(key);
}

/**
 * Where the node at `path` starts (1-based). With `key`, the position of the map key itself (for
 * unknown keys and ids). When the path leaves the document (a missing field), the deepest node
 * found: the key of the pair that holds the missing field, so "missing action" points at the task.
 */
export function locate(
  parsed: ParsedFile,
  path: Path,
  options: { key?: boolean } = {},
): { line: number; col: number } {
  let node: unknown = parsed.positions().doc.contents;
  let anchor: unknown = node;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    let next: unknown;
    let keyNode: unknown;
    if (isMap(node)) {
      const pair = pairOf(node, String(segment));
      if (pair) {
        keyNode = pair.key;
        next = pair.value ?? pair.key;
      }
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
    }
    if (next === undefined) break;
    node = next;
    anchor = i === path.length - 1 && !options.key ? next : (keyNode ?? next);
  }
  return position(parsed, anchor);
}

/** Position of a node's first character; 1:1 when there is no node at all. */
function position(parsed: ParsedFile, node: unknown): { line: number; col: number } {
  const range = (node as Node | null)?.range;
  if (!range) return { line: 1, col: 1 };
  return parsed.positions().lineCounter.linePos(Math.min(range[0], parsed.text.length));
}

/** The YAML node at `path`, or undefined. */
function nodeAt(parsed: ParsedFile, path: Path): Node | undefined {
  let node: unknown = parsed.positions().doc.contents;
  for (const segment of path) {
    if (isMap(node)) node = pairOf(node, String(segment))?.value;
    else if (isSeq(node) && typeof segment === 'number') node = node.items[segment];
    else return undefined;
  }
  return (node ?? undefined) as Node | undefined;
}

/**
 * Where `needle` (text inside the string at `path`, e.g. one `{{ ... }}`) starts in the source, when
 * the scalar holds it verbatim; else where the string starts.
 */
export function locateWithin(
  parsed: ParsedFile,
  path: Path,
  needle: string,
  index = 0,
): { line: number; col: number } {
  const node = nodeAt(parsed, path);
  const range = node?.range;
  if (node && range) {
    let source = scalarSource.get(node);
    if (source === undefined) {
      source = parsed.text.slice(range[0], range[1]);
      scalarSource.set(node, source);
    }
    // Escapes only make the source longer than the value: searching from the value's index finds
    // the needle at once, however many problems one long string holds.
    let at = source.indexOf(needle, index);
    if (at < 0) at = source.indexOf(needle);
    if (at >= 0) return parsed.positions().lineCounter.linePos(range[0] + at);
  }
  return locate(parsed, path);
}

/** The source text of a scalar, sliced once. */
const scalarSource = new WeakMap<object, string>();
