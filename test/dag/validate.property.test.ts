import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadDag } from '../../src/dag/validate.ts';

/**
 * The validator only reports: whatever a mutated DAG file looks like, loadDag returns diagnostics
 * that point inside the file, and never throws.
 */

const FIXTURES = ['flink_wordcount.yaml', 'movielens_genie.json', 'flink_app_lifecycle.yaml'];
const texts = FIXTURES.map((name) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8'));

const SYNTAX = [
  ':',
  ' ',
  '\n',
  '\t',
  '-',
  '{',
  '}',
  '[',
  ']',
  ',',
  '"',
  "'",
  '#',
  '&',
  '*',
  '!',
  '|',
  '>',
  '?',
  '%',
  '@',
];
const TOKENS = [
  'operator',
  'depends_on',
  'tasks',
  'dag_id',
  'empty',
  'flink.hdinsight',
  'flink.rest',
  'genie',
  'NEW',
  'STOP',
  'null',
  '~',
  'true',
  '-1',
  '1e999',
  '0x1F',
  '{{ params.x }}',
  '{{ tasks.a.output.job_id }}',
  '{{ constructor.constructor }}',
  '{{',
  '{ secret: s }',
  '__proto__',
  'constructor',
  '*anchor',
  '&anchor',
  '!!binary',
  '<<',
  '[a, b]',
  '2h',
  'PT',
  '@daily',
  '"\\u0000"',
];

type Mutation = (text: string) => string;

const at = (text: string, ratio: number): number => Math.floor(ratio * (text.length + 1));

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 20 })).map(
    ([r, n]): Mutation =>
      (t) =>
        t.slice(0, at(t, r)) + t.slice(at(t, r) + n),
  ),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...SYNTAX, ...TOKENS)).map(
    ([r, s]): Mutation =>
      (t) =>
        t.slice(0, at(t, r)) + s + t.slice(at(t, r)),
  ),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.string({ maxLength: 3 })).map(
    ([r, s]): Mutation =>
      (t) =>
        t.slice(0, at(t, r)) + s + t.slice(at(t, r) + s.length),
  ),
  fc.tuple(fc.nat(), fc.constantFrom(...TOKENS)).map(([n, token]): Mutation => (t) => {
    const words = [...t.matchAll(/[A-Za-z_][\w.-]*/g)];
    const word = words[n % Math.max(1, words.length)];
    return word ? t.slice(0, word.index) + token + t.slice(word.index + word[0].length) : t;
  }),
  fc
    .tuple(fc.nat(), fc.nat(), fc.constantFrom('delete', 'duplicate', 'swap', 'indent', 'dedent'))
    .map(([a, b, op]): Mutation => (t) => {
      const lines = t.split('\n');
      const i = a % lines.length;
      const j = b % lines.length;
      if (op === 'delete') lines.splice(i, 1);
      else if (op === 'duplicate') lines.splice(i, 0, lines[i]!);
      else if (op === 'swap') [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      else if (op === 'indent') lines[i] = `  ${lines[i]}`;
      else lines[i] = lines[i]!.replace(/^ {1,2}/, '');
      return lines.join('\n');
    }),
);

function expectOnlyReports(text: string): void {
  const result = loadDag(text, 'mutated.yaml');
  const lines = text.split('\n').length;
  for (const d of result.diagnostics) {
    expect(d.file).toBe('mutated.yaml');
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.col).toBeGreaterThanOrEqual(1);
    expect(d.line).toBeLessThanOrEqual(lines + 1);
    expect(d.message).not.toMatch(/^internal error/);
  }
  if (result.dag !== null) expect(result.diagnostics).toEqual([]);
  else expect(result.diagnostics.length).toBeGreaterThan(0);
}

describe('loadDag never throws', () => {
  it('on valid files mutated character by character, token by token and line by line', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...texts),
        fc.array(mutationArb, { minLength: 1, maxLength: 6 }),
        (text, mutations) => {
          expectOnlyReports(mutations.reduce((t, mutate) => mutate(t), text));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('on valid documents with any value replaced by arbitrary JSON', () => {
    const documents = texts.map((t) => parse(t) as Record<string, unknown>);
    const replaceAt = (value: unknown, choice: number, replacement: unknown): unknown => {
      const paths: Array<Array<string | number>> = [];
      const walk = (v: unknown, path: Array<string | number>): void => {
        paths.push(path);
        if (v !== null && typeof v === 'object') {
          for (const [k, child] of Object.entries(v))
            walk(child, [...path, Array.isArray(v) ? Number(k) : k]);
        }
      };
      walk(value, []);
      const path = paths[choice % paths.length]!;
      if (path.length === 0) return replacement;
      const copy = structuredClone(value) as Record<string | number, unknown>;
      let parent = copy;
      for (const segment of path.slice(0, -1)) parent = parent[segment] as Record<string | number, unknown>;
      parent[path.at(-1)!] = replacement;
      return copy;
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...documents),
        fc.nat(),
        fc.jsonValue({ maxDepth: 3 }),
        (doc, choice, json) => {
          const mutated = replaceAt(doc, choice, json);
          expectOnlyReports(stringify(mutated));
          expectOnlyReports(JSON.stringify(mutated));
        },
      ),
      { numRuns: 120 },
    );
  });

  it('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => expectOnlyReports(text)),
      { numRuns: 150 },
    );
  });
});
