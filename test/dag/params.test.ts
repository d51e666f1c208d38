import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../src/dag/linear-regex.ts';
import { DEFAULT_MAX_LENGTH, resolveRunParams } from '../../src/dag/params.ts';
import { loadDag } from '../../src/dag/validate.ts';

const errors = (params: string[]): string[] =>
  loadDag(
    ['dag_id: d', 'params:', ...params.map((p) => `  ${p}`), 'tasks: {}'].join('\n'),
    'd.yaml',
  ).diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`);

describe('param schemas are checked when the DAG is validated', () => {
  it('a default must pass every constraint, as a triggered conf would', () => {
    expect(errors(['n: { type: integer, minimum: 5, default: 3 }'])).toEqual([
      '3:44: params.n.default: default 3 must be >= 5',
    ]);
    expect(errors(['s: { type: string, pattern: "^x", default: "y" }'])).toEqual([
      "3:46: params.s.default: default 'y' must match pattern ^x",
    ]);
  });

  it('refuses a pattern that is not a regular expression, at the pattern', () => {
    const [found] = errors(["p: { type: string, pattern: '([' }"]);
    expect(found).toMatch(/^3:31: params\.p\.pattern: pattern is not a valid regular expression/);
  });

  it('refuses a pattern that would backtrack, and constructs no linear engine can run', () => {
    expect(errors(["p: { type: string, pattern: '^(a+)+$' }"])).toEqual([
      '3:31: params.p.pattern: pattern repeats a group that itself repeats without bound, as in (a+)+: it can match the same text in exponentially many ways; write it without the nesting (a+)',
    ]);
    expect(errors(["p: { type: string, pattern: '(a)\\1' }"])[0]).toMatch(/backreferences are not supported/);
    expect(errors(["p: { type: string, pattern: 'a(?=b)' }"])[0]).toMatch(/lookahead and lookbehind/);
    expect(errors(["p: { type: string, pattern: 'a{1000}b{1000}c{1000}d{1000}e{1000}' }"])[0]).toMatch(
      /too large/,
    );
  });

  it('refuses bounds no value fits and unknown formats', () => {
    expect(errors(['s: { type: string, minLength: 5, maxLength: 2 }'])).toEqual([
      '3:47: params.s.maxLength: maxLength 2 is below minLength 5: no value fits',
    ]);
    expect(errors(['s: { type: string, format: datetime }'])).toEqual([
      "3:30: params.s.format: unknown format 'datetime' (known: date, date-time, time, email)",
    ]);
    expect(errors(['s: { type: array, items: { pattern: "[" } }'])[0]).toMatch(/params\.s\.items\.pattern/);
  });
});

describe('the run API applies the same checker', () => {
  it('matches an accepted pattern in linear time: 5,000 a and ! against (a|aa)*', () => {
    // A backtracking engine tries Fibonacci(5000) ways here; the linear matcher answers at once.
    const params = { p: { type: 'string', pattern: '^(a|aa)*$' } };
    expect(resolveRunParams(params, { p: `${'a'.repeat(5000)}!` })).toEqual({
      ok: false,
      errors: [{ field: 'p', message: 'must match pattern ^(a|aa)*$' }],
    });
    expect(resolveRunParams(params, { p: 'aaa' })).toEqual({ ok: true, params: { p: 'aaa' } });
  });

  it('caps a string param at 64 KiB unless its schema says otherwise', () => {
    const long = 'x'.repeat(DEFAULT_MAX_LENGTH + 1);
    expect(resolveRunParams({ s: { type: 'string' } }, { s: long })).toEqual({
      ok: false,
      errors: [{ field: 's', message: `must be at most ${DEFAULT_MAX_LENGTH} characters` }],
    });
    expect(resolveRunParams({ s: { type: 'string', maxLength: 100_000 } }, { s: long }).ok).toBe(true);
  });
});

describe('the linear matcher', () => {
  const PATTERNS = [
    '^\\d{4}-\\d{2}-\\d{2}$',
    'ab|cd',
    '^[a-z0-9_-]{1,64}$',
    '\\bfoo\\b',
    '^(?:x|y)*z?$',
    'é+',
    '^\\p{L}+$',
    '^.{0,3}$',
    '(a|ab)(c|bcd)(d*)',
    '^$',
    'a{2,}b',
    '[^\\]]+',
    '^(?<n>q)+w',
    '(a|aa)*$',
    '^\\S+@\\S+$',
  ];

  it('agrees with RegExp on what matches', () => {
    for (const pattern of PATTERNS) {
      const compiled = compilePattern(pattern);
      if (!compiled.ok) throw new Error(`${pattern}: ${compiled.message}`);
      const native = new RegExp(pattern, 'u');
      fc.assert(
        fc.property(fc.stringMatching(/^[abcdxyzqw@\-é0-9 ]{0,12}$/), (text) => {
          expect([pattern, text, compiled.regex.test(text)]).toEqual([pattern, text, native.test(text)]);
        }),
        { numRuns: 200, seed: 10 },
      );
    }
  });
});
