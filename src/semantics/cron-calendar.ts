import { Cron } from 'croner';

/**
 * The wall-clock times a 5-field cron names, on a plain calendar (no zone, no clock changes):
 * data-intervals.ts maps them to instants. Day fields combine as croner and Airflow's croniter do:
 * when both are restricted (neither is `*`), a day matching either fires.
 *
 * Lists, ranges, steps and names are expanded here and walked day by day, which is hundreds of
 * times faster than asking croner for each run; a cron with croner's extensions (L, W, #) is walked
 * by croner itself.
 */
export interface CronCalendar {
  /** Whether the hour field names all 24 hours (Airflow's `_covers_every_hour`). */
  everyHour: boolean;
  /** Matching wall times at or after `wall`, ascending, up to the end of year 9999. */
  forward(wall: number): Iterable<number>;
  /** Matching wall times at or before `wall`, descending, down to the start of year 1900. */
  backward(wall: number): Iterable<number>;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const FIRST_WALL = Date.UTC(1900, 0, 1);
const LAST_WALL = Date.UTC(9999, 11, 31, 23, 59);

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Fields {
  minutes: number[];
  hours: number[];
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** Both day fields restricted: either may match. */
  eitherDay: boolean;
}

/** One field's values, or null for syntax this expander leaves to croner. */
function expand(field: string, min: number, max: number, names?: readonly string[]): number[] | null {
  const values = new Set<number>();
  const value = (text: string): number => {
    const named = names?.indexOf(text.toUpperCase()) ?? -1;
    if (named >= 0) return named + (names === MONTH_NAMES ? 1 : 0);
    return /^\d{1,2}$/.test(text) ? Number(text) : NaN;
  };
  for (const part of field.split(',')) {
    const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d{1,2}))?$/.exec(part);
    if (m === null) return null;
    const step = m[2] === undefined ? 1 : Number(m[2]);
    let [a, b] = [min, max];
    if (m[1] !== '*') {
      const [x, y] = m[1]!.split('-') as [string, string | undefined];
      if (y === undefined && m[2] !== undefined) return null;
      [a, b] = [value(x), y === undefined ? value(x) : value(y)];
    }
    if (!(step >= 1) || !(min <= a && a <= b && b <= max)) return null;
    for (let v = a; v <= b; v += step) values.add(v);
  }
  return [...values].sort((x, y) => x - y);
}

function parseFields(cron: string): Fields | null {
  const raw = cron
    .trim()
    .split(/\s+/)
    .map((f) => (f === '?' ? '*' : f));
  if (raw.length !== 5) return null;
  const [minute, hour, day, month, weekday] = raw as [string, string, string, string, string];
  const minutes = expand(minute, 0, 59);
  const hours = expand(hour, 0, 23);
  const days = expand(day, 1, 31);
  const months = expand(month, 1, 12, MONTH_NAMES);
  const weekdays = expand(weekday, 0, 7, DAY_NAMES);
  if (!minutes || !hours || !days || !months || !weekdays) return null;
  return {
    minutes,
    hours,
    days: new Set(days),
    months: new Set(months),
    weekdays: new Set(weekdays.map((d) => d % 7)),
    eitherDay: day !== '*' && weekday !== '*',
  };
}

function dayMatches(f: Fields, date: Date): boolean {
  const byDay = f.days.has(date.getUTCDate());
  const byWeekday = f.weekdays.has(date.getUTCDay());
  return f.eitherDay ? byDay || byWeekday : byDay && byWeekday;
}

const startOfDay = (wall: number): number => wall - (((wall % DAY) + DAY) % DAY);

function* forwardFields(f: Fields, from: number): Generator<number> {
  let day = startOfDay(Math.max(from, FIRST_WALL));
  while (day <= LAST_WALL) {
    const date = new Date(day);
    if (!f.months.has(date.getUTCMonth() + 1)) {
      day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
      continue;
    }
    if (dayMatches(f, date)) {
      for (const h of f.hours) {
        for (const m of f.minutes) {
          const wall = day + h * HOUR + m * MINUTE;
          if (wall >= from) yield wall;
        }
      }
    }
    day += DAY;
  }
}

function* backwardFields(f: Fields, from: number): Generator<number> {
  const hours = [...f.hours].reverse();
  const minutes = [...f.minutes].reverse();
  let day = startOfDay(Math.min(from, LAST_WALL));
  while (day >= FIRST_WALL) {
    const date = new Date(day);
    if (!f.months.has(date.getUTCMonth() + 1)) {
      day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) - DAY;
      continue;
    }
    if (dayMatches(f, date)) {
      for (const h of hours) {
        for (const m of minutes) {
          const wall = day + h * HOUR + m * MINUTE;
          if (wall <= from) yield wall;
        }
      }
    }
    day -= DAY;
  }
}

/** croner answers runs in batches faster than one at a time; batches grow to this size. */
const MAX_BATCH = 256;

function* byCroner(job: Cron, from: number, direction: 1 | -1): Generator<number> {
  let cursor = new Date(from - direction);
  for (let size = 4; ; size = Math.min(size * 2, MAX_BATCH)) {
    const batch = direction === 1 ? job.nextRuns(size, cursor) : job.previousRuns(size, cursor);
    for (const run of batch) {
      const wall = run.getTime();
      if (wall < FIRST_WALL || wall > LAST_WALL) return;
      yield wall;
    }
    if (batch.length < size) return;
    cursor = batch[batch.length - 1]!;
  }
}

export function cronCalendar(cron: string): CronCalendar {
  const fields = parseFields(cron);
  if (fields !== null) {
    return {
      everyHour: fields.hours.length === 24,
      forward: (wall) => forwardFields(fields, wall),
      backward: (wall) => backwardFields(fields, wall),
    };
  }
  // A fixed utcOffset is croner's plain-calendar mode (and its fast path).
  const job = new Cron(cron, { utcOffset: 0, paused: true });
  const hour = cron.trim().split(/\s+/)[1] ?? '*';
  return {
    everyHour: expand(hour === '?' ? '*' : hour, 0, 23)?.length === 24,
    forward: (wall) => byCroner(job, wall, 1),
    backward: (wall) => byCroner(job, wall, -1),
  };
}
