/**
 * Durations as DAG files write them: `500ms`, `30s`, `10m`, `2h`, `1d`, compounds such as `1h30m`,
 * ISO-8601 `PT30S` / `P1DT2H`, or a bare number of seconds. Everything becomes seconds.
 */

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };
const NUM = String.raw`\d+(?:\.\d+)?`;
const SHORT_RE = new RegExp(`^(?:${NUM}(?:ms|s|m|h|d))+$`);
const SHORT_PART_RE = new RegExp(`(${NUM})(ms|s|m|h|d)`, 'g');
const ISO_RE = new RegExp(`^P(?:(${NUM})D)?(?:T(?:(${NUM})H)?(?:(${NUM})M)?(?:(${NUM})S)?)?$`);

/** The pattern a duration string must match (exported for the JSON Schema). */
export const DURATION_PATTERN = `^(?:(?:${NUM}(?:ms|s|m|h|d))+|P(?!$)(?:${NUM}D)?(?:T(?=\\d)(?:${NUM}H)?(?:${NUM}M)?(?:${NUM}S)?)?)$`;

export const DURATION_HINT = 'a duration such as 500ms, 30s, 10m, 2h, 1d, PT30S, or a number of seconds';

/** Seconds, or undefined when `value` is not a duration. Milliseconds give fractional seconds. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const text = value.trim();
  if (SHORT_RE.test(text)) {
    let total = 0;
    for (const [, amount, unit] of text.matchAll(SHORT_PART_RE))
      total += Number(amount) * UNIT_SECONDS[unit!]!;
    return round(total);
  }
  const iso = ISO_RE.exec(text);
  if (iso && text !== 'P' && !text.endsWith('T')) {
    const [d, h, m, s] = iso.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number];
    return round(d * 86_400 + h * 3600 + m * 60 + s);
  }
  return undefined;
}

/** Millisecond precision: 0.1 + 0.2 style noise must not reach the IR. */
const round = (seconds: number): number => Math.round(seconds * 1000) / 1000;
