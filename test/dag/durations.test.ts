import { describe, expect, it } from 'vitest';
import { DURATION_PATTERN, parseDuration } from '../../src/dag/durations.ts';

describe('parseDuration', () => {
  it.each([
    ['500ms', 0.5],
    ['30s', 30],
    ['10m', 600],
    ['2h', 7200],
    ['1d', 86_400],
    ['1h30m', 5400],
    ['1.5h', 5400],
    ['PT30S', 30],
    ['PT1.5S', 1.5],
    ['P1DT2H3M4S', 93_784],
    ['P2D', 172_800],
    [45, 45],
    [0, 0],
  ] as const)('%s is %s seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
    if (typeof text === 'string') expect(new RegExp(DURATION_PATTERN).test(text)).toBe(true);
  });

  it.each(['', '5', '5 minutes', '1w', 'P', 'PT', 'P1H', '-5s', 'ms', '10M'])(
    'rejects %j (and so does the JSON Schema pattern)',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
      expect(new RegExp(DURATION_PATTERN).test(text)).toBe(false);
    },
  );

  it('rejects negative and non-finite numbers', () => {
    expect(parseDuration(-1)).toBeUndefined();
    expect(parseDuration(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(parseDuration(Number.NaN)).toBeUndefined();
  });
});
