/**
 * Wall-clock time in an IANA time zone and the instants it names, without a date library: the
 * runtime's Intl data is the only source of offsets. Times are epoch milliseconds; a "wall" time is
 * the local calendar reading encoded as if it were UTC.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
const UTC_NAMES = new Set(['UTC', 'Etc/UTC']);

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock reading of `instant` in `timeZone`, asked of Intl. */
function readWall(timeZone: string, instant: number): number {
  const fields: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) fields[part.type] = part.value;
  const year = fields.era === 'BC' || fields.era === 'B' ? 1 - Number(fields.year) : Number(fields.year);
  const date = new Date(0);
  date.setUTCFullYear(year, Number(fields.month) - 1, Number(fields.day));
  date.setUTCHours(Number(fields.hour), Number(fields.minute), Number(fields.second));
  const millis = ((instant % 1000) + 1000) % 1000;
  return date.getTime() + millis;
}

/**
 * Offsets by six-hour bucket: a bucket whose two ends have the same offset has it throughout (no zone
 * changes its clocks twice within six hours), which saves most Intl calls when walking a schedule.
 */
const BUCKET_MS = 6 * 3_600_000;
const bucketOffsets = new Map<string, Map<number, number | null>>();

/** The zone's offset from UTC at `instant`, in milliseconds. */
export function offsetAt(timeZone: string, instant: number): number {
  if (UTC_NAMES.has(timeZone)) return 0;
  let buckets = bucketOffsets.get(timeZone);
  if (buckets === undefined || buckets.size > 100_000) {
    buckets = new Map();
    bucketOffsets.set(timeZone, buckets);
  }
  const bucket = Math.floor(instant / BUCKET_MS);
  let known = buckets.get(bucket);
  if (known === undefined) {
    const start = bucket * BUCKET_MS;
    const a = readWall(timeZone, start) - start;
    const b = readWall(timeZone, start + BUCKET_MS - 1) - (start + BUCKET_MS - 1);
    known = a === b ? a : null;
    buckets.set(bucket, known);
  }
  return known ?? readWall(timeZone, instant) - instant;
}

/** The wall-clock reading of `instant` in `timeZone`. */
export const wallOf = (timeZone: string, instant: number): number => instant + offsetAt(timeZone, instant);

/** Far enough to see past any one transition (the largest, Pacific/Apia in 2011, was a day). */
const PROBE_MS = 26 * 3_600_000;

/**
 * Every instant whose wall-clock reading in `timeZone` is `wall`: none when the time falls in a gap
 * (clocks moved forward over it), two when clocks moved back over it, otherwise one. Ascending.
 */
export function instantsOf(timeZone: string, wall: number): number[] {
  if (UTC_NAMES.has(timeZone)) return [wall];
  const before = wall - offsetAt(timeZone, wall - PROBE_MS);
  const after = wall - offsetAt(timeZone, wall + PROBE_MS);
  const found = [...new Set([before, after])].filter((t) => wallOf(timeZone, t) === wall);
  return found.sort((a, b) => a - b);
}

/**
 * The instant a wall-clock time means, as Airflow (pendulum) reads a naive time: a time clocks moved
 * back over is its first occurrence; a time in a gap is read with the offset before the gap, so
 * 02:30 on a spring-forward night at 02:00 is 03:30 of the new offset.
 */
export function instantOf(timeZone: string, wall: number): number {
  const found = instantsOf(timeZone, wall);
  if (found.length > 0) return found[0]!;
  return wall - offsetAt(timeZone, wall - PROBE_MS);
}

/** Airflow's form of an instant: `2026-01-01T00:00:00+00:00` (UTC, milliseconds only when present). */
export function airflowInstant(date: Date): string {
  return date
    .toISOString()
    .replace(/\.000Z$/, 'Z')
    .replace(/Z$/, '+00:00');
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(?:([Zz])|([+-])(\d{2}):(\d{2}))?$/;

export type DagDate =
  /** A calendar date or a date-time without an offset: a wall-clock time in the DAG's time zone. */
  | { kind: 'wall'; wall: number }
  /** A date-time with an offset (or Z): one instant. */
  | { kind: 'instant'; instant: number };

/**
 * A `start_date`/`end_date` value: an RFC 3339 date (`2026-01-01`, midnight in the DAG's time zone),
 * a date-time with an offset (`2026-01-01T06:00:00Z`), or a date-time without one (a wall-clock time
 * in the DAG's time zone). Years 1900..9999; a day the month lacks is refused, never rolled over.
 */
export function parseDagDate(text: string): DagDate | { kind: 'invalid'; message: string } {
  const m = DATE.exec(text) ?? DATE_TIME.exec(text);
  const invalid = {
    kind: 'invalid' as const,
    message: `'${text.slice(0, 64)}' is not a date (2026-01-01) or a date-time (2026-01-01T06:00:00Z)`,
  };
  if (m === null) return invalid;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (year < 1900 || daysInMonth === undefined || day < 1 || day > daysInMonth) return invalid;
  if (hour > 23 || minute > 59 || second > 59) return invalid;
  const millis = m[7] === undefined ? 0 : Number(`${m[7].slice(1)}00`.slice(0, 3));
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (m[8] === undefined && m[9] === undefined) return { kind: 'wall', wall };
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const [h, min] = [Number(m[10]), Number(m[11])];
    if (h > 23 || min > 59) return invalid;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (h * 60 + min);
  }
  return { kind: 'instant', instant: wall - offsetMinutes * 60_000 };
}

/** The instant a parsed DAG date means in `timeZone`. */
export const dagDateInstant = (date: DagDate, timeZone: string): number =>
  date.kind === 'instant' ? date.instant : instantOf(timeZone, date.wall);
