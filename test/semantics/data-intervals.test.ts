import fc from 'fast-check';
import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import type { ScheduleIR } from '../../src/dag/schedule.ts';
import { cronCalendar } from '../../src/semantics/cron-calendar.ts';
import {
  dataInterval,
  fireTimes,
  isPeriodic,
  latestRunAtOrBefore,
  logicalDatesIn,
  MAX_INTERVALS,
  nextRunAfter,
  type TimedPlan,
} from '../../src/semantics/data-intervals.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const utc = (text: string): Date => new Date(text);

const cron = (
  expr: string,
  timezone = 'UTC',
  start_date: string | null = null,
  end_date: string | null = null,
): TimedPlan => ({
  schedule: { kind: 'cron', cron: expr, source: expr },
  timezone,
  start_date,
  end_date,
});

const fire = (plan: TimedPlan, from: string, to: string): string[] =>
  fireTimes(plan, utc(from), utc(to)).logical_dates;

const swedish = new Map<string, Intl.DateTimeFormat>();
/** A wall-clock reading computed independently of the module under test (Intl's sv-SE text, parsed). */
function wall(timeZone: string, t: number): number {
  let format = swedish.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('sv-SE', {
      timeZone,
      hour12: false,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    swedish.set(timeZone, format);
  }
  const text = format.format(t);
  const [date, time] = text.split(' ') as [string, string];
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi, s] = time.split(':').map(Number) as [number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/** One cron field: the values it matches (lists, ranges, steps, *). */
function fieldSet(field: string, min: number, max: number): Set<number> {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const [range, step] = part.split('/') as [string, string | undefined];
    let [a, b] = [min, max];
    if (range !== '*') {
      const [x, y] = range.split('-');
      a = Number(x);
      b = y === undefined ? (step === undefined ? a : max) : Number(y);
    }
    for (let v = a; v <= b; v += step === undefined ? 1 : Number(step)) out.add(v === 7 && max === 7 ? 0 : v);
  }
  return out;
}

/** A plain cron matcher on a wall-clock reading (as croniter: two restricted day fields OR, else AND). */
function matcher(expr: string): (wallMs: number) => boolean {
  const [mi, h, dom, mo, dow] = expr.split(' ') as [string, string, string, string, string];
  const [mins, hours, doms, months, dows] = [
    fieldSet(mi, 0, 59),
    fieldSet(h, 0, 23),
    fieldSet(dom, 1, 31),
    fieldSet(mo, 1, 12),
    fieldSet(dow, 0, 7),
  ];
  const domStar = dom === '*';
  const dowStar = dow === '*';
  return (w) => {
    const d = new Date(w);
    if (!mins.has(d.getUTCMinutes()) || !hours.has(d.getUTCHours()) || !months.has(d.getUTCMonth() + 1))
      return false;
    const byDom = doms.has(d.getUTCDate());
    const byDow = dows.has(d.getUTCDay());
    if (domStar || dowStar) return byDom && byDow;
    return byDom || byDow;
  };
}

/**
 * The brute-force reference: walk every UTC minute. A cron whose hour field is every hour fires at
 * each minute whose wall-clock reading matches; any other fires at the first minute with a matching
 * reading, and a matching reading the clocks skipped fires at the skipped reading read with the
 * offset before the skip (Airflow/pendulum).
 */
function bruteForce(expr: string, timeZone: string, lo: number, hi: number): string[] {
  const matches = matcher(expr);
  const everyHour = fieldSet(expr.split(' ')[1]!, 0, 23).size === 24;
  const out = new Set<number>();
  const seen = new Set<number>();
  let previous: { t: number; w: number } | null = null;
  for (let t = lo - 3 * HOUR; t <= hi + 3 * HOUR; t += MINUTE) {
    const w = wall(timeZone, t);
    if (everyHour) {
      if (matches(w)) out.add(t);
    } else {
      if (matches(w) && !seen.has(w)) out.add(t);
      seen.add(w);
      if (previous !== null && w - previous.w > MINUTE) {
        const offsetBefore = previous.w - previous.t;
        for (let s = previous.w + MINUTE; s < w; s += MINUTE) if (matches(s)) out.add(s - offsetBefore);
      }
    }
    previous = { t, w };
  }
  return [...out]
    .filter((t) => t >= lo && t <= hi)
    .sort((a, b) => a - b)
    .map((t) => new Date(t).toISOString().replace(/\.000Z$/, '+00:00'));
}

describe('fireTimes: cron', () => {
  it('a daily cron in UTC fires at each midnight, in Airflow instant form, both ends included', () => {
    const dates = fire(cron('0 0 * * *'), '2026-01-01T00:00:00Z', '2026-01-31T00:00:00Z');
    expect(dates).toHaveLength(31);
    expect(dates[0]).toBe('2026-01-01T00:00:00+00:00');
    expect(dates[30]).toBe('2026-01-31T00:00:00+00:00');
  });

  it('presets become crons (@daily in a zone fires at local midnight)', () => {
    expect(fire(cron('0 0 * * *', 'Europe/Berlin'), '2026-07-01T00:00:00Z', '2026-07-02T23:00:00Z')).toEqual([
      '2026-07-01T22:00:00+00:00',
      '2026-07-02T22:00:00+00:00',
    ]);
  });

  it('a wall-clock time the spring-forward skips fires after the gap, once (Airflow reads it with the old offset)', () => {
    // New York, 2026-03-08: 02:00 EST jumps to 03:00 EDT. 02:30 EST would be 07:30Z = 03:30 EDT.
    expect(
      fire(cron('30 2 * * *', 'America/New_York'), '2026-03-07T00:00:00Z', '2026-03-09T12:00:00Z'),
    ).toEqual(['2026-03-07T07:30:00+00:00', '2026-03-08T07:30:00+00:00', '2026-03-09T06:30:00+00:00']);
  });

  it('a wall-clock time the fall-back repeats fires once, at its first occurrence', () => {
    // New York, 2026-11-01: 02:00 EDT falls back to 01:00 EST; 01:30 happens at 05:30Z and 06:30Z.
    expect(
      fire(cron('30 1 * * *', 'America/New_York'), '2026-11-01T00:00:00Z', '2026-11-01T12:00:00Z'),
    ).toEqual(['2026-11-01T05:30:00+00:00']);
  });

  it('a cron over every hour fires every real hour across both clock changes', () => {
    const fall = fire(cron('0 * * * *', 'America/New_York'), '2026-11-01T04:00:00Z', '2026-11-02T04:59:00Z');
    expect(fall).toHaveLength(25); // the 25-hour local day
    const spring = fire(
      cron('0 * * * *', 'America/New_York'),
      '2026-03-08T05:00:00Z',
      '2026-03-09T03:59:00Z',
    );
    expect(spring).toHaveLength(23);
  });

  it('is clipped to start_date and end_date unless asked not to (Airflow backfills are not)', () => {
    const plan = cron('0 0 * * *', 'UTC', '2026-01-10T00:00:00+00:00', '2026-01-12T00:00:00+00:00');
    expect(fire(plan, '2026-01-01T00:00:00Z', '2026-01-31T00:00:00Z')).toEqual([
      '2026-01-10T00:00:00+00:00',
      '2026-01-11T00:00:00+00:00',
      '2026-01-12T00:00:00+00:00',
    ]);
    const all = fireTimes(plan, utc('2026-01-01T00:00:00Z'), utc('2026-01-31T00:00:00Z'), {
      withinDagDates: false,
    });
    expect(all.logical_dates).toHaveLength(31);
  });

  it('an empty or reversed range has no fire times', () => {
    expect(fire(cron('0 0 * * *'), '2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z')).toEqual([]);
    expect(fire(cron('0 0 * * *'), '2026-01-01T00:00:01Z', '2026-01-01T23:59:59Z')).toEqual([]);
  });

  it('agrees with a brute-force walk over every minute, across DST changes in several zones', () => {
    const minuteField = fc.oneof(
      fc.integer({ min: 0, max: 59 }).map(String),
      fc.constantFrom('*/15', '*/20', '*/30', '0,30', '5-10', '45-59/7'),
    );
    const hourField = fc.oneof(
      fc.integer({ min: 0, max: 23 }).map(String),
      fc.constantFrom('*', '*/2', '1-3', '0,1,2', '2', '1', '0-23', '22-23,0-3'),
    );
    const dayFields = fc.constantFrom<[string, string]>(
      ['*', '*'],
      ['*', '0'],
      ['*', '1-5'],
      ['1,8,25', '*'],
      ['*/2', '*'],
      ['1', '0'],
      ['25-31', '6'],
    );
    const zones = [
      { zone: 'America/New_York', around: ['2026-03-08T07:00:00Z', '2026-11-01T06:00:00Z'] },
      { zone: 'Europe/London', around: ['2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z'] },
      { zone: 'Australia/Lord_Howe', around: ['2026-04-04T15:00:00Z', '2026-10-03T15:30:00Z'] },
      { zone: 'Asia/Kolkata', around: ['2026-01-01T00:00:00Z'] },
      { zone: 'UTC', around: ['2026-02-28T00:00:00Z'] },
    ];
    fc.assert(
      fc.property(
        minuteField,
        hourField,
        dayFields,
        fc.constantFrom(...zones),
        fc.nat(1),
        fc.integer({ min: -36 * 60, max: 12 * 60 }),
        fc.integer({ min: 0, max: 60 * 60 }),
        (minute, hour, [dom, dow], { zone, around }, which, startMinutes, spanMinutes) => {
          const expr = `${minute} ${hour} ${dom} * ${dow}`;
          const base = Date.parse(around[which % around.length]!);
          const lo = base + startMinutes * MINUTE;
          const hi = lo + spanMinutes * MINUTE;
          const got = fireTimes(cron(expr, zone), new Date(lo), new Date(hi)).logical_dates;
          expect(got, `${expr} in ${zone}`).toEqual(bruteForce(expr, zone, lo, hi));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('fireTimes: rate, @once, none', () => {
  const rate = (every_s: number, start_date: string | null = null): TimedPlan => ({
    schedule: { kind: 'rate', every_s, source: `rate(${every_s} seconds)` },
    timezone: 'UTC',
    start_date,
    end_date: null,
  });

  it('a rate counts from start_date', () => {
    expect(
      fire(rate(6 * 3600, '2026-01-01T01:00:00+00:00'), '2025-12-01T00:00:00Z', '2026-01-01T14:00:00Z'),
    ).toEqual(['2026-01-01T01:00:00+00:00', '2026-01-01T07:00:00+00:00', '2026-01-01T13:00:00+00:00']);
  });

  it('a rate without start_date counts from the Unix epoch (as the Azure timer does)', () => {
    expect(fire(rate(3600), '2026-01-01T00:30:00Z', '2026-01-01T02:30:00Z')).toEqual([
      '2026-01-01T01:00:00+00:00',
      '2026-01-01T02:00:00+00:00',
    ]);
  });

  it('@once fires at start_date only; without one, the timetable names no date', () => {
    const once = (start_date: string | null): TimedPlan => ({
      schedule: { kind: 'once', source: '@once' },
      timezone: 'UTC',
      start_date,
      end_date: null,
    });
    expect(fire(once('2026-01-05T00:00:00+00:00'), '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z')).toEqual([
      '2026-01-05T00:00:00+00:00',
    ]);
    expect(fire(once(null), '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z')).toEqual([]);
  });

  it('no schedule: nothing, and only cron and rate are periodic (backfillable)', () => {
    const none: TimedPlan = { schedule: { kind: 'none' }, timezone: 'UTC', start_date: null, end_date: null };
    expect(fire(none, '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z')).toEqual([]);
    const kinds: ScheduleIR[] = [
      { kind: 'none' },
      { kind: 'once', source: '@once' },
      { kind: 'cron', cron: '0 0 * * *', source: '@daily' },
      { kind: 'rate', every_s: 60, source: 'rate(1 minute)' },
    ];
    expect(kinds.map(isPeriodic)).toEqual([false, false, true, true]);
  });
});

describe('the cap', () => {
  it(`refuses a request over more than ${MAX_INTERVALS} intervals, with a message`, () => {
    const result = logicalDatesIn(
      cron('* * * * *'),
      utc('2026-01-01T00:00:00Z'),
      utc('2026-01-08T00:00:00Z'),
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/more than 10000 scheduled intervals/);
    const ok = logicalDatesIn(cron('0 * * * *'), utc('2026-01-01T00:00:00Z'), utc('2026-01-08T00:00:00Z'));
    expect(ok.ok && ok.logical_dates.length).toBe(7 * 24 + 1);
  });

  it('fireTimes stops at max and says it did, for crons and for rates over centuries', () => {
    const first = fireTimes(cron('* * * * *'), utc('2000-01-01T00:00:00Z'), utc('2999-01-01T00:00:00Z'), {
      max: 5,
    });
    expect(first).toEqual({
      complete: false,
      logical_dates: [0, 1, 2, 3, 4].map((m) => `2000-01-01T00:0${m}:00+00:00`),
    });
    const rate: TimedPlan = {
      schedule: { kind: 'rate', every_s: 60, source: 'rate(1 minute)' },
      timezone: 'UTC',
      start_date: null,
      end_date: null,
    };
    const many = fireTimes(rate, utc('1970-01-01T00:00:00Z'), utc('9999-01-01T00:00:00Z'));
    expect(many.logical_dates).toHaveLength(MAX_INTERVALS);
    expect(many.complete).toBe(false);
  });
});

describe('nextRunAfter, latestRunAtOrBefore, dataInterval', () => {
  it("an interval is zero-width at the tick (Airflow 3's CronTriggerTimetable)", () => {
    expect(dataInterval('2026-01-01T00:00:00Z')).toEqual({
      logical_date: '2026-01-01T00:00:00+00:00',
      data_interval_start: '2026-01-01T00:00:00+00:00',
      data_interval_end: '2026-01-01T00:00:00+00:00',
      run_after: '2026-01-01T00:00:00+00:00',
    });
  });

  it('next is strictly after, latest is at or before, both within start_date and end_date', () => {
    const plan = cron('0 6 * * *', 'UTC', '2026-01-03T00:00:00+00:00', '2026-01-05T06:00:00+00:00');
    expect(nextRunAfter(plan, utc('2026-01-01T00:00:00Z'))?.logical_date).toBe('2026-01-03T06:00:00+00:00');
    expect(nextRunAfter(plan, utc('2026-01-03T06:00:00Z'))?.logical_date).toBe('2026-01-04T06:00:00+00:00');
    expect(nextRunAfter(plan, utc('2026-01-05T06:00:00Z'))).toBeNull();
    expect(latestRunAtOrBefore(plan, utc('2026-01-04T06:00:00Z'))?.logical_date).toBe(
      '2026-01-04T06:00:00+00:00',
    );
    expect(latestRunAtOrBefore(plan, utc('2026-02-01T00:00:00Z'))?.logical_date).toBe(
      '2026-01-05T06:00:00+00:00',
    );
    expect(latestRunAtOrBefore(plan, utc('2026-01-03T05:59:00Z'))).toBeNull();
  });

  it('agree with fireTimes around clock changes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('30 2 * * *', '0 * * * *', '*/20 1-2 * * *', '15 0 * * 0', '0 1 1 * *'),
        fc.integer({ min: -3 * 24 * 60, max: 3 * 24 * 60 }),
        (expr, minutes) => {
          const plan = cron(expr, 'America/New_York');
          const at = Date.parse('2026-11-01T06:00:00Z') + minutes * MINUTE;
          const window = 40 * 24 * HOUR;
          const before = fireTimes(plan, new Date(at - window), new Date(at)).logical_dates;
          const after = fireTimes(plan, new Date(at + 1), new Date(at + window)).logical_dates;
          expect(latestRunAtOrBefore(plan, new Date(at))?.logical_date ?? null).toBe(before.at(-1) ?? null);
          expect(nextRunAfter(plan, new Date(at))?.logical_date ?? null).toBe(after[0] ?? null);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('cronCalendar', () => {
  const take = (it: Iterable<number>, n: number): number[] => {
    const out: number[] = [];
    for (const v of it) {
      if (out.length === n) break;
      out.push(v);
    }
    return out;
  };

  it('walks the same wall-clock times as croner, forwards and backwards', () => {
    const field = (values: string[]) => fc.constantFrom(...values);
    fc.assert(
      fc.property(
        field(['0', '*/7', '5,35', '10-20/5', '*']),
        field(['*', '3', '*/6', '1-4,22', '0-23']),
        field(['*', '1', '*/2', '10-15', '31', '?']),
        field(['*', 'JAN', '2-3', 'feb,Aug', '*/4']),
        field(['*', '0', '7', 'MON-FRI', 'sat,SUN', '1-5/2']),
        fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2090, 0, 1) }),
        (mi, h, d, mo, dw, from) => {
          const expr = `${mi} ${h} ${d} ${mo} ${dw}`;
          const job = new Cron(expr, { utcOffset: 0, paused: true });
          const calendar = cronCalendar(expr);
          expect(take(calendar.forward(from), 20), expr).toEqual(
            job.nextRuns(20, new Date(from - 1)).map((x) => x.getTime()),
          );
          expect(take(calendar.backward(from), 20), expr).toEqual(
            job.previousRuns(20, new Date(from + 1)).map((x) => x.getTime()),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it("leaves croner's extensions (L, W, #) to croner", () => {
    expect(fire(cron('0 0 L * *'), '2026-01-01T00:00:00Z', '2026-03-31T00:00:00Z')).toEqual([
      '2026-01-31T00:00:00+00:00',
      '2026-02-28T00:00:00+00:00',
      '2026-03-31T00:00:00+00:00',
    ]);
  });
});
