import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import { generateDagYaml } from '../../bench/generate-dag.ts';
import { HOSTILE_KINDS, hostileDag } from '../../bench/hostile-dags.ts';
import { parseFile } from '../../src/dag/parse.ts';
import type { Path } from '../../src/dag/parse.ts';

/**
 * A file js-yaml reads gets its positions from js-yaml too (its listener), not from a second reading
 * by yaml: every node must be where yaml places it, key and value, and every piece of a string.
 */

const at = ({ line, col }: { line: number; col: number }): string => `${line}:${col}`;

/** Every difference between the positions parseFile gives and yaml's ranges, as readable lines. */
function differences(text: string): string[] {
  const positions = parseFile(text, 'f.yaml').positions();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  const where = (node: Node | null | undefined): string =>
    node?.range ? at(lines.linePos(Math.min(node.range[0], text.length))) : '1:1';
  const found: string[] = [];
  const expectAt = (what: string, path: Path, got: string, want: string): void => {
    if (got !== want) found.push(`${what} ${JSON.stringify(path)}: ${got}, yaml ${want}`);
  };
  expectAt('root', [], at(positions.locate([])), where(doc.contents as Node | null));
  const todo: Array<[unknown, Path]> = [[doc.contents, []]];
  while (todo.length > 0) {
    const [node, path] = todo.pop()!;
    const children: Array<[string | number, Node | undefined, Node | null]> = isMap(node)
      ? node.items.map((p) => [
          String(isScalar(p.key) ? p.key.value : p.key),
          p.key as Node,
          p.value as Node | null,
        ])
      : isSeq(node)
        ? node.items.map((item, i) => [i, undefined, item as Node])
        : [];
    for (const [segment, key, value] of children) {
      const child = [...path, segment];
      expectAt('value', child, at(positions.locate(child)), where(value ?? key));
      if (key) expectAt('key', child, at(positions.locate(child, { key: true })), where(key));
      // A missing field points at the key of the pair that holds it.
      expectAt('missing field under', child, at(positions.locate([...child, 'nope'])), where(key ?? value));
      if (isScalar(value) && typeof value.value === 'string' && value.value.length > 0 && value.range) {
        const needle = value.value.slice(-3);
        const index = text.slice(value.range[0], value.range[1]).indexOf(needle);
        const want = index < 0 ? where(value) : at(lines.linePos(value.range[0] + index));
        expectAt(`'${needle}' in`, child, at(positions.locateWithin(child, needle)), want);
      }
      if (value) todo.push([value, child]);
    }
  }
  return found;
}

const dir = (name: string): URL => new URL(name, import.meta.url);
const filesIn = (url: URL): string[] =>
  readdirSync(url).map((name) => readFileSync(new URL(name, `${url.href}/`), 'utf8'));

const SNIPPETS = [
  'a:\nb: 1\n',
  'a:   \n  # c\nb: 1\n',
  'a: # c\n',
  'a: # c\n  b: 1\n',
  'a:\n\n',
  'a:\n  x\n',
  'a:\n  [1, 2]\n',
  'a:\n  {b: 1}\n',
  'a:\n  |\n   x\n',
  'a: |\n  x\n  y\nb: 2',
  'a: >-\n  folded\n  text\n',
  'a: plain\n  continued\nb: x',
  'a: b # c\n',
  'a: "x y" # c\n',
  '"a": 1\n\'b\': 2\n',
  '- a: 1\n  b: 2\n- - x\n  - y\n',
  '- # c\n  x\n',
  'a:\n- 1\n- 2\n',
  '{a: , b}\n',
  'x: {a, b: }\n',
  'x: {a: 1, b: [1, {c: d}], e: "f"}\n',
  'a: [ ]\nb: {}\nc: [x, ]\n',
  '{a: 1}\n',
  '[1, 2]\n',
  'x\n',
  '---\na: 1\n',
  '  a: 1\n  b: 2\n',
  '1: one\n0x10: hex\n1.5: float\ntrue: bool\n',
  '__proto__: 1\nconstructor: 2\n',
  'a:\r\n  b: 1\r\n  c: "x"\r\n',
  'k: "{{ a }} and {{ b }}"\nl: \'{{ c }}\'\n',
];

describe('positions from js-yaml', () => {
  it('place every node as yaml does: snippets, examples, fixtures and generated DAGs', () => {
    const texts = [
      ...SNIPPETS,
      ...filesIn(dir('../../dags/')),
      ...filesIn(dir('fixtures')),
      ...[1, 7, 60].flatMap((tasks) => [1, 2, 3].map((seed) => generateDagYaml({ tasks, seed }))),
      ...HOSTILE_KINDS.map((kind) => hostileDag(kind, 4096)),
    ];
    let fromJsYaml = 0;
    for (const text of texts) {
      const parsed = parseFile(text, 'f.yaml');
      if (parsed.reader !== 'js-yaml') continue;
      if (parsed.positions().reader === 'js-yaml') fromJsYaml++;
      expect(differences(text), text).toEqual([]);
    }
    expect(fromJsYaml).toBeGreaterThanOrEqual(SNIPPETS.length + 15);
  });

  it('are yaml’s where js-yaml composes no node: an empty item, an empty document', () => {
    for (const text of ['- \n- x\n', '-\n', '---\n', '# only a comment\n', '']) {
      const parsed = parseFile(text, 'f.yaml');
      expect(parsed.reader).toBe('js-yaml');
      expect(parsed.positions().reader).toBe('yaml');
      expect(differences(text), text).toEqual([]);
    }
  });

  it('place every node as yaml does in mutated files', () => {
    const pieces = [
      ...Array.from(':\n-{}[],"\'#|> ~'),
      ...['  ', '- ', ': ', '{{ x }}', '# c', '\n  ', 'a: b', '[x]', '{k: v}', '""', '1_0'],
    ];
    const base = [
      generateDagYaml({ tasks: 4, seed: 5 }),
      generateDagYaml({ tasks: 3, seed: 8 }),
      hostileDag('bad-refs-many-tasks', 600),
      ...SNIPPETS.slice(0, 12),
    ];
    let checked = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...base),
        fc.array(
          fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...pieces), fc.nat(3)),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        (start, edits) => {
          const text = edits.reduce((t, [where, piece, cut]) => {
            const i = Math.floor(where * t.length);
            return t.slice(0, i) + piece + t.slice(i + cut);
          }, start);
          if (parseFile(text, 'f.yaml').reader !== 'js-yaml') return;
          checked++;
          expect(differences(text)).toEqual([]);
        },
      ),
      { numRuns: 500, seed: 20261203 },
    );
    expect(checked).toBeGreaterThan(100);
  });
});
