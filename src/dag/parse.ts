import { FAILSAFE_SCHEMA, load as loadYaml, Type } from 'js-yaml';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Document, Scalar } from 'yaml';
import type { Diagnostic } from './diagnostics.ts';
import { jsYamlSourceTree } from './js-yaml-source-map.ts';
import { LEAF, lineCounter, MAPPING, NONE, SEQUENCE, SourceMap, SourceTree } from './source-map.ts';
import type { LineCol, Path } from './source-map.ts';

export type { Path } from './source-map.ts';

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
  /**
   * Where every node is: built on first use, as only diagnostics need it, by js-yaml again for a
   * file it read (yaml only when that reading does not line up), else from yaml's document.
   */
  positions(): SourceMap;
}

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
  let positions: SourceMap | undefined;
  return {
    file,
    text,
    value,
    diagnostics: [],
    reader: 'js-yaml',
    positions: () => (positions ??= jsYamlPositions(text) ?? yamlPositions(text, readYaml(text))),
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

function jsYamlPositions(text: string): SourceMap | undefined {
  const tree = jsYamlSourceTree(text, CORE_SCHEMA);
  return tree === undefined ? undefined : new SourceMap(text, tree, lineCounter(text), 'js-yaml');
}

interface YamlReading {
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

function readYaml(text: string): YamlReading {
  const lineCounter = new LineCounter();
  // Each of yaml's errors is an Error: a file with a hundred thousand bad lines would capture as many
  // stack traces, and prettyErrors would cut a snippet of the text for each (only positions are used).
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    // yaml's own uniqueKeys check is quadratic in a map's size (10,000 tasks: seconds); ours is linear.
    const doc = parseDocument(text, {
      lineCounter,
      uniqueKeys: false,
      prettyErrors: false,
      logLevel: 'error',
    });
    return { doc, lineCounter };
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

function parseWithPositions(text: string, file: string): ParsedFile {
  const reading = readYaml(text);
  const { doc, lineCounter } = reading;
  const diagnostics: Diagnostic[] = [...doc.errors, ...doc.warnings].map((error) => {
    const { line, col } = lineCounter.linePos(Math.min(error.pos[0], text.length));
    return { file, line, col, path: [], message: yamlMessage(error.code, error.message) };
  });
  for (const key of duplicateKeys(doc.contents)) {
    const { line, col } = lineCounter.linePos(Math.min(key.range?.[0] ?? 0, text.length));
    diagnostics.push({ file, line, col, path: [], message: `duplicate key '${String(key.value)}'` });
  }
  // An alias can only loop back to an anchor, and anchors start with '&'.
  const loops = text.includes('&') ? selfAliases(doc) : [];
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
  let positions: SourceMap | undefined;
  return {
    file,
    text,
    value,
    diagnostics,
    reader: 'yaml',
    positions: () => (positions ??= yamlPositions(text, reading)),
  };
}

/** The nodes of yaml's document as a source map (a pair inside a sequence has no place). */
function yamlPositions(text: string, { doc, lineCounter }: YamlReading): SourceMap {
  const tree = new SourceTree();
  const add = (node: unknown): number => {
    const range = (node as { range?: [number, number, number] | null } | null)?.range;
    const kind = isMap(node) ? MAPPING : isSeq(node) ? SEQUENCE : LEAF;
    const id = tree.add(range?.[0] ?? -1, range?.[1] ?? -1, kind);
    if (kind !== LEAF) todo.push([node, id]);
    return id;
  };
  const todo: Array<[unknown, number]> = [];
  if (doc.contents !== null) tree.root = add(doc.contents);
  while (todo.length > 0) {
    const [node, id] = todo.pop()!;
    const parts: number[] = [];
    const names: string[] = [];
    if (isMap(node)) {
      for (const item of node.items) {
        if (!isPair(item)) continue;
        names.push(isScalar(item.key) ? String(item.key.value) : String(item.key));
        parts.push(add(item.key), item.value === null ? NONE : add(item.value));
      }
    } else if (isSeq(node)) {
      for (const item of node.items) parts.push(add(item));
    }
    tree.setParts(id, parts, 0, parts.length, names);
  }
  const linePos = (offset: number): LineCol => lineCounter.linePos(offset);
  return new SourceMap(text, tree, linePos, 'yaml');
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
      for (const item of node.items) todo.push(item);
    }
  }
  return found;
}

function yamlMessage(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'a DAG file holds one YAML document; this is a second one';
  const end = message.indexOf('\n');
  return `YAML: ${end < 0 ? message : message.slice(0, end)}`;
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export const locate = (parsed: ParsedFile, path: Path, options: { key?: boolean } = {}): LineCol =>
  parsed.positions().locate(path, options);

export const locateWithin = (parsed: ParsedFile, path: Path, needle: string, index = 0): LineCol =>
  parsed.positions().locateWithin(path, needle, index);
