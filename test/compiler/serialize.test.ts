import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stableStringify } from '../../src/compiler/serialize.ts';

/** The original definition: a deep copy with sorted keys, then JSON.stringify with a 2-space indent. */
function reference(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) sorted[key] = sortKeys(v);
  }
  return sorted;
}

describe('stableStringify', () => {
  it('sorts keys at every depth, keeps array order, indents by 2 and ends with a newline', () => {
    const text = stableStringify({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } });
    expect(text).toBe(
      '{\n  "a": {\n    "c": null,\n    "d": [\n      3,\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n',
    );
  });

  it('gives the same bytes for objects built in different orders, and drops undefined', () => {
    expect(stableStringify({ x: 1, y: undefined, z: [1, 2] })).toBe(stableStringify({ z: [1, 2], x: 1 }));
  });

  it('matches the original definition on edge cases', () => {
    const cases: unknown[] = [
      {},
      [],
      { a: {}, b: [], c: { d: undefined } },
      [undefined, () => 1, Symbol('s'), Number.NaN, -0, Infinity],
      { f: () => 1, s: Symbol('s'), n: Number.NEGATIVE_INFINITY },
      { '10': 1, '9': 2, b: 3, a: 4, '4294967295': 5, '4294967294': 6, '01': 7, '-1': 8 },
      { 'quote"': 'line\nbreak\u2028', '\u00e9': '\ud800', tab: '\t' },
      JSON.parse('{"__proto__": {"x": 1}, "y": 2}'),
      new Date(0),
      'text',
      42,
      null,
      true,
      undefined,
    ];
    for (const value of cases) expect(stableStringify(value)).toBe(reference(value));
  });

  it('matches the original definition on random values', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.anything({ withSparseArray: true, withNullPrototype: true, withDate: true, withMap: true }),
        ),
        (value) => {
          expect(stableStringify(value)).toBe(reference(value));
        },
      ),
      { numRuns: 500 },
    );
  });
});
