import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { generateDagYaml } from '../../bench/generate-dag.ts';
import { locate, parseFile } from '../../src/dag/parse.ts';

/**
 * parseFile reads most files with js-yaml and keeps yaml (slower, with positions) for the rest: the
 * value must be the one yaml reads, and a file js-yaml accepts must be one yaml accepts too.
 */

/** What yaml alone makes of a text: the reference the fast path must match. */
function yamlReading(text: string): { value: unknown; problems: number } {
  const doc = parseDocument(text, { logLevel: 'error' });
  return { value: doc.toJS({ maxAliasCount: 100 }), problems: doc.errors.length + doc.warnings.length };
}

function expectSameAsYaml(text: string, reader: 'js-yaml' | 'yaml'): void {
  const parsed = parseFile(text, 'f.yaml');
  expect(parsed.reader).toBe(reader);
  expect(parsed.diagnostics).toEqual([]);
  expect(parsed.value).toEqual(yamlReading(text).value);
}

const dir = (name: string): URL => new URL(name, import.meta.url);
const filesIn = (url: URL, suffix = ''): string[] =>
  readdirSync(url)
    .filter((name) => name.endsWith(suffix))
    .map((name) => readFileSync(new URL(name, `${url.href}/`), 'utf8'));

describe('the js-yaml fast path', () => {
  it('reads generated DAG files of several sizes and seeds as yaml does', () => {
    for (const tasks of [1, 7, 60, 400]) {
      for (const seed of [1, 2, 3, 42]) expectSameAsYaml(generateDagYaml({ tasks, seed }), 'js-yaml');
    }
  });

  it('reads the example DAGs as yaml does', () => {
    const examples = filesIn(dir('../../dags/'), '.yaml');
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const text of examples) expectSameAsYaml(text, 'js-yaml');
  });

  it('reads every test fixture as yaml does, whichever library reads it', () => {
    for (const text of filesIn(dir('fixtures'))) {
      const parsed = parseFile(text, 'f.yaml');
      expect(parsed.diagnostics).toEqual([]);
      expect(parsed.value).toEqual(yamlReading(text).value);
    }
  });

  it('resolves plain scalars by YAML 1.2 core rules, as yaml does', () => {
    const scalars = [
      '0o17',
      '0o8',
      '0x1F',
      '0X1F',
      '-0x1F',
      '012',
      '+12',
      '-0',
      '1_000',
      '0b101',
      '1e3',
      '1E3',
      '-1.5e-3',
      '.5',
      '-.5',
      '+.5',
      '1.',
      '.inf',
      '-.inf',
      '+.inf',
      '.Inf',
      '.nan',
      '.NaN',
      '~',
      'null',
      'Null',
      'NULL',
      'nULL',
      'yes',
      'no',
      'on',
      'off',
      'y',
      'n',
      'True',
      'FALSE',
      'tRUE',
      '2026-01-01',
      '2026-01-01T10:00:00Z',
      '1:30',
      '12:30:00',
      '9007199254740993',
      '1e999',
      "'0x1F'",
      '"1e3"',
      '"esc \\t \\u00e9 \\x41 \\\\ \\/ \\N"',
      "'it''s'",
      'a plain # comment',
      '{a: 1, b: [x, "y", 2.5]}',
      '[1, ~, true]',
      '',
      '@@@'.slice(3),
    ];
    // prettier-ignore
    const text = `${scalars.map((s, i) => `k${i}: ${s}`).join('\n')}
folded: >
  one
  two

  three
literal: |
    keep
     indented
strip: |-
  x
keep: |+
  y

plain: first
  second
1: numeric key
0x10: hex key
1.5: float key
true: bool key
.inf: inf key
list:
- a
- - nested
  - 2
`;
    expectSameAsYaml(text, 'js-yaml');
  });

  it('leaves to yaml what the two libraries read differently', () => {
    const texts = [
      'a: &x [1, 2]\nb: *x\n',
      'a: !!str 1\n',
      '%YAML 1.1\n---\na: yes\n',
      '? [a, b]\n: c\n',
      '~: null key\n',
      ': empty key\n',
      '[a, b]: c\n',
      'job_name: {{ run_id }}\n',
      'm: { x: 1, [b] }\n',
      'a: "two\n  lines"\n',
    ];
    for (const text of texts) expectSameAsYaml(text, 'yaml');
  });

  it('builds positions only on demand, at the same place as yaml', () => {
    const text = 'dag_id: d\ntasks:\n  a:\n    operator: empty\n';
    const parsed = parseFile(`\uFEFF${text}`, 'f.yaml');
    expect(parsed.reader).toBe('js-yaml');
    expect(locate(parsed, ['tasks', 'a', 'operator'])).toEqual({ line: 4, col: 15 });
    expect(locate(parsed, ['tasks', 'a'], { key: true })).toEqual({ line: 3, col: 3 });
  });
});

describe('files with problems', () => {
  it('get every problem yaml finds, at its line and column', () => {
    const text = 'dag_id: d\ndag_id: e\ntasks: [\n';
    const parsed = parseFile(text, 'f.yaml');
    expect(parsed.reader).toBe('yaml');
    expect(parsed.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual([
      '4:1 YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      "2:1 duplicate key 'dag_id'",
    ]);
    const lonelyCarriageReturn = parseFile('a: 1\rb: 2\n', 'f.yaml');
    expect(lonelyCarriageReturn.reader).toBe('yaml');
    expect(lonelyCarriageReturn.diagnostics.map((d) => d.message)).toEqual([
      expect.stringMatching(/^YAML: /),
    ]);
  });

  it('a second document and an alias bomb are reported as before', () => {
    expect(parseFile('a: 1\n---\nb: 2\n', 'f.yaml').diagnostics[0]?.message).toBe(
      'a DAG file holds one YAML document; this is a second one',
    );
    // Each level lists the previous one ten times: 10^8 strings once expanded.
    const levels = 'abcdefghi';
    const bomb = [...levels].map((name, i) => {
      const item = i === 0 ? 'x' : `*${levels[i - 1]}`;
      return `${name}: &${name} [${Array(10).fill(item).join(', ')}]`;
    });
    const parsed = parseFile(`${bomb.join('\n')}\n`, 'f.yaml');
    expect(parsed.value).toBeUndefined();
    expect(parsed.diagnostics[0]?.message).toMatch(/^cannot read the document: .*alias/i);
  });

  it('takes the yaml path for a flow collection continued on a less indented line', () => {
    const text = 'params:\n  poolNm: { type: string, description:\n cluster pool name }\n';
    const parsed = parseFile(text, 'f.yaml');
    expect(parsed.reader).toBe('yaml');
    expect(parsed.diagnostics.length).toBeGreaterThan(0);
    expectSameAsYaml('params:\n  a: { type: string,\n    default: x }\n', 'yaml');
  });

  it('js-yaml never accepts what yaml rejects, nor reads it differently (mutated files)', () => {
    const pieces = [
      ...Array.from(':\n\t-{}[],"\'#|>@`\\~ \r\uFEFF\u2028'),
      ...['0x', '.5', 'null', '  ', '- ', ': ', '{{ x }}', '? ', '---', '\r\n', '1_0'],
    ];
    let fast = 0;
    const base = [generateDagYaml({ tasks: 5, seed: 7 }), ...filesIn(dir('../../dags/'), '.yaml')];
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
          const parsed = parseFile(text, 'f.yaml');
          if (parsed.reader !== 'js-yaml') return;
          fast++;
          const reference = yamlReading(text);
          expect(reference.problems).toBe(0);
          expect(parsed.value).toEqual(reference.value);
        },
      ),
      { numRuns: 800 },
    );
    // Most mutations still leave valid YAML: the property must have been checked many times.
    expect(fast).toBeGreaterThan(200);
  });
});
