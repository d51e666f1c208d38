import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, manualRunIdProblem, parseLogicalDate, requestHash } from '../../src/runs/run-ids.ts';

/** The recursive definition the request hash used before. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
  );
}

describe('canonicalJson (the idempotency hash of a trigger request)', () => {
  it('equals JSON.stringify of the key-sorted copy, so stored hashes stay valid', () => {
    const key = fc.oneof(
      fc.string(),
      fc.constantFrom('0', '1', '10', '9', '01', '4294967294', '4294967295', '-1', '1.5', '__proto__'),
    );
    const { v } = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 1 }),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(key, tie('v'), { maxKeys: 5 }),
      ),
    }));
    fc.assert(
      fc.property(v, (value) => canonicalJson(value) === JSON.stringify(canonical(value))),
      { numRuns: 3000, seed: 7 },
    );
  });

  it('hashes a conf nested 100,000 deep without overflowing the stack', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 100_000; i++) deep = { a: [deep] };
    expect(requestHash({ conf: deep, logical_date: null })).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('parseLogicalDate: RFC 3339 with an offset, nothing else', () => {
  it.each([
    ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00+00:00'],
    ['2026-01-01T01:30:00+01:30', '2026-01-01T00:00:00+00:00'],
    ['2026-01-01t00:00:00.250z', '2026-01-01T00:00:00.250+00:00'],
    ['2024-02-29T23:59:59-00:00', '2024-02-29T23:59:59+00:00'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00+00:00'],
    ['0050-01-01T00:30:00+01:00', '0049-12-31T23:30:00+00:00'],
  ])('%s -> %s', (text, utc) => expect(parseLogicalDate(text)).toBe(utc));

  it.each([
    'yesterday',
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-01-01',
    '2026-01-01T00:00:00',
    '2026-01-01 00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:60:00Z',
    '2026-01-01T00:00:60Z',
    '2026-01-01T00:00:00+24:00',
    '2026-01-01T00:00:00+0100',
    '+2026-01-01T00:00:00Z',
    '0000-01-01T00:00:00Z',
    ' 2026-01-01T00:00:00Z',
    'Thu, 01 Jan 2026 00:00:00 GMT',
  ])('rejects %j', (text) => expect(parseLogicalDate(text)).toBeNull());
});

describe('manual run ids', () => {
  it.each(['r1', 'manual__2026-01-01T00:00:00+00:00', 'a.b~c:d+e-f_g', 'x'.repeat(250)])('accepts %j', (id) =>
    expect(manualRunIdProblem(id)).toBeNull(),
  );
  it.each([
    ['scheduled__2026-01-01T00:00:00+00:00', /reserved/],
    ['backfill__2026-01-01T00:00:00+00:00', /reserved/],
    ['asset_triggered__abc', /reserved/],
    ['dataset_triggered__abc', /reserved/],
    ['a..b', /'\.\.'/],
    ['..', /'\.\.'/],
    ['a/b', /must match/],
    ['a b', /must match/],
    ['a\u0000b', /must match/],
    ['a\u0007b', /must match/],
    ['a\u202eb', /must match/],
    ['a\ud800b', /must match/],
    ['é', /must match/],
    ['', /1 to 250/],
    ['x'.repeat(251), /1 to 250/],
  ])('refuses %j', (id, why) => expect(manualRunIdProblem(id)).toMatch(why));
});
