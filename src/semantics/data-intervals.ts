import type { PlanIR } from '../compiler/ir.ts';
import type { ScheduleIR } from '../dag/schedule.ts';
import { airflowInstant, instantOf, instantsOf, offsetAt, wallOf } from '../dag/zoned-time.ts';
import { cronCalendar } from './cron-calendar.ts';

/**
 * When a DAG's schedule fires, as Airflow 3's default timetables say (CronTriggerTimetable,
 * DeltaTriggerTimetable, OnceTimetable): a run fires *at* its tick, so its logical_date, run_after
 * and both ends of its data interval are that tick. Scheduled ticks, catchup and backfill all take
 * their logical dates from here, so a catchup run and a tick for the same time have the same run id
 * (`scheduled__<logical_date>`). Pure, deterministic and bounded: no call walks more than
 * MAX_INTERVALS fire times (plus a fixed margin).
 */

/** The most intervals one request (a backfill, a dry run, a catchup pass) may cover. */
export const MAX_INTERVALS = 10_000;

/** What the timetable needs of a plan. */
export type TimedPlan = Pick<PlanIR, 'schedule' | 'timezone' | 'start_date' | 'end_date'>;

/** One scheduled interval, in Airflow's instant form (`2026-01-01T00:00:00+00:00`). */
export interface RunInterval {
  logical_date: string;
  data_interval_start: string;
  data_interval_end: string;
  run_after: string;
}

/** Cron and rate schedules repeat; Airflow refuses backfills of the others (non-periodic). */
export const isPeriodic = (schedule: ScheduleIR): boolean =>
  schedule.kind === 'cron' || schedule.kind === 'rate';

/** The interval of a scheduled logical date: zero-width, at the tick (Airflow 3's trigger timetables). */
export function dataInterval(logicalDate: string | Date): RunInterval {
  const at = airflowInstant(typeof logicalDate === 'string' ? new Date(logicalDate) : logicalDate);
  return { logical_date: at, data_interval_start: at, data_interval_end: at, run_after: at };
}

/** Latest instant a Date can hold in a four-digit year (9999-12-31T23:59:59.999Z). */
const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/**
 * Wall-clock and instant orders can differ near a clock change by at most the change (a day at
 * most, Pacific/Apia 2011); enumerating this far past either end never misses or misorders a tick.
 */
const MARGIN_MS = 26 * 3_600_000;

/** A plan stored before start_date/end_date existed has neither key: the same as null. */
const instantOrNull = (text: string | null | undefined): number | null =>
  text === null || text === undefined ? null : Date.parse(text);

export interface FireTimes {
  /** Ascending, in Airflow's instant form. */
  logical_dates: string[];
  /** False when more fire times exist in the range than were returned. */
  complete: boolean;
}

export interface FireTimeOptions {
  /** Return at most this many (default MAX_INTERVALS). */
  max?: number;
  /** Clip the range to the plan's start_date and end_date (default true; Airflow's backfill does not). */
  withinDagDates?: boolean;
}

/**
 * The fire times (logical dates) of the plan's schedule in the closed range [from, to], the earliest
 * `max` of them. A cron fires in the DAG's time zone: a wall-clock time clocks skip fires at the
 * same time after the gap (or not at all for a cron that runs every hour, which fires every real
 * hour instead), and one clocks repeat fires once (every time, for a cron that runs every hour), as
 * Airflow's CronMixin does. A rate fires every N seconds from start_date (or from the Unix epoch
 * when the DAG has none, as the Azure timer does). `@once` fires at start_date, if any.
 */
export function fireTimes(plan: TimedPlan, from: Date, to: Date, options: FireTimeOptions = {}): FireTimes {
  const max = Math.max(0, Math.floor(options.max ?? MAX_INTERVALS));
  let lo = from.getTime();
  let hi = Math.min(to.getTime(), LAST_INSTANT);
  const start = instantOrNull(plan.start_date);
  if (options.withinDagDates ?? true) {
    if (start !== null) lo = Math.max(lo, start);
    const end = instantOrNull(plan.end_date);
    if (end !== null) hi = Math.min(hi, end);
  }
  if (!(lo <= hi) || Number.isNaN(lo)) return { logical_dates: [], complete: true };
  const schedule = plan.schedule;
  let found: number[];
  switch (schedule.kind) {
    case 'none':
      found = [];
      break;
    case 'once':
      found = start !== null && lo <= start && start <= hi ? [start] : [];
      break;
    case 'rate':
      found = rateTimes(schedule.every_s * 1000, start ?? 0, lo, hi, max + 1);
      break;
    case 'cron':
      found = cronTimes(schedule.cron, plan.timezone, lo, hi, max + 1);
      break;
  }
  return {
    logical_dates: found.slice(0, max).map((t) => airflowInstant(new Date(t))),
    complete: found.length <= max,
  };
}

export type LogicalDates = { ok: true; logical_dates: string[] } | { ok: false; message: string };

/**
 * The logical dates a request over [from, to] covers, refused with a message when there are more than
 * MAX_INTERVALS (a request is never cut short silently).
 */
export function logicalDatesIn(
  plan: TimedPlan,
  from: Date,
  to: Date,
  options: Omit<FireTimeOptions, 'max'> = {},
): LogicalDates {
  const result = fireTimes(plan, from, to, { ...options, max: MAX_INTERVALS });
  if (result.complete) return { ok: true, logical_dates: result.logical_dates };
  return {
    ok: false,
    message: `the range ${airflowInstant(from)} to ${airflowInstant(to)} holds more than ${MAX_INTERVALS} scheduled intervals; ask for a shorter range`,
  };
}

/**
 * The first scheduled interval strictly after `after` (within start_date and end_date), or null when
 * the schedule fires no more: the API's next_dagrun_* fields after the last scheduled run.
 */
export function nextRunAfter(plan: TimedPlan, after: Date): RunInterval | null {
  const [next] = fireTimes(plan, new Date(after.getTime() + 1), new Date(LAST_INSTANT), {
    max: 1,
  }).logical_dates;
  return next === undefined ? null : dataInterval(next);
}

/**
 * The latest scheduled interval at or before `at` (within start_date and end_date), or null: the one
 * a tick at `at` owes.
 */
export function latestRunAtOrBefore(plan: TimedPlan, at: Date): RunInterval | null {
  const t = at.getTime();
  const start = instantOrNull(plan.start_date);
  const end = instantOrNull(plan.end_date);
  const hi = Math.min(t, end ?? t);
  if (start !== null && hi < start) return null;
  const schedule = plan.schedule;
  let found: number | null;
  switch (schedule.kind) {
    case 'none':
      found = null;
      break;
    case 'once':
      found = start;
      break;
    case 'rate': {
      const every = schedule.every_s * 1000;
      const anchor = start ?? 0;
      found = anchor + Math.floor((hi - anchor) / every) * every;
      break;
    }
    case 'cron':
      found = latestCronTime(schedule.cron, plan.timezone, hi, start ?? Date.UTC(1970, 0, 1));
      break;
  }
  return found === null || (start !== null && found < start) ? null : dataInterval(new Date(found));
}

/** anchor + k·every for the integers k (k >= 0 when anchored at start_date) that land in [lo, hi]. */
function rateTimes(every: number, anchor: number, lo: number, hi: number, limit: number): number[] {
  const first = Math.ceil((lo - anchor) / every);
  const last = Math.floor((hi - anchor) / every);
  const out: number[] = [];
  for (let k = first; k <= last && out.length < limit; k++) out.push(anchor + k * every);
  return out;
}

/** The instants a wall-clock match fires at (see fireTimes). */
function instantsFor(timeZone: string, wall: number, everyHour: boolean): number[] {
  return everyHour ? instantsOf(timeZone, wall) : [instantOf(timeZone, wall)];
}

/**
 * How far wall-clock order and instant order can disagree around `wall`: 0 when the zone keeps one
 * offset for a day either side (always, for UTC and fixed zones), else MARGIN_MS.
 */
function marginAt(timeZone: string, wall: number): number {
  const o = offsetAt(timeZone, wall);
  return offsetAt(timeZone, wall - MARGIN_MS) === o && offsetAt(timeZone, wall + MARGIN_MS) === o
    ? 0
    : MARGIN_MS;
}

/**
 * Cron fire times in [lo, hi], the earliest `limit` of them. Wall-clock matches are mapped to
 * instants; mapped times can be out of order only within the margin of a clock change, so the walk
 * starts and stops that margin beyond the range, or beyond the wall time where `limit` was reached.
 */
function cronTimes(cron: string, timeZone: string, lo: number, hi: number, limit: number): number[] {
  const calendar = cronCalendar(cron);
  const wallLo = wallOf(timeZone, lo);
  const wallHi = wallOf(timeZone, hi);
  let stopAt = wallHi + marginAt(timeZone, wallHi);
  const seen = new Set<number>();
  for (const wall of calendar.forward(wallLo - marginAt(timeZone, wallLo))) {
    if (wall > stopAt) break;
    const reached = seen.size >= limit;
    for (const t of instantsFor(timeZone, wall, calendar.everyHour)) if (t >= lo && t <= hi) seen.add(t);
    if (!reached && seen.size >= limit) stopAt = Math.min(stopAt, wall + marginAt(timeZone, wall));
  }
  return [...seen].sort((a, b) => a - b).slice(0, limit);
}

/**
 * The latest cron fire time at or before `hi` and not before `floor`, walking wall-clock matches
 * backwards until one older than the best found by the clock-change margin cannot beat it.
 */
function latestCronTime(cron: string, timeZone: string, hi: number, floor: number): number | null {
  const calendar = cronCalendar(cron);
  const wallHi = wallOf(timeZone, hi);
  const wallFloor = wallOf(timeZone, floor) - MARGIN_MS;
  let best: number | null = null;
  let giveUpAt = -Infinity;
  for (const wall of calendar.backward(wallHi + marginAt(timeZone, wallHi))) {
    if (wall < wallFloor || wall < giveUpAt) break;
    for (const t of instantsFor(timeZone, wall, calendar.everyHour)) {
      if (t <= hi && t >= floor && (best === null || t > best)) {
        best = t;
        giveUpAt = wall - 2 * marginAt(timeZone, wall);
      }
    }
  }
  return best;
}
