import type { ScheduleIR } from '../../dag/schedule.ts';
import { AirlessError } from '../../errors.ts';

/**
 * Airflow schedules (presets, 5-field cron, rate) in EventBridge Scheduler's form.
 *
 * EventBridge cron has six fields (minute hour day-of-month month day-of-week year), numbers
 * Sunday as 1, and needs `?` in one of the two day fields. Standard cron ORs the two day fields
 * when both are restricted (Vixie rule: a field that starts with `*` is unrestricted), which one
 * EventBridge expression cannot say, so such a cron becomes two schedules; the run id derived from
 * the logical date makes a tick both fire idempotent.
 */
export interface EventBridgeSchedule {
  /** '' for the main schedule, '.dow' for the day-of-week half of an OR cron. */
  suffix: '' | '.dow';
  expression: string;
  timezone: string;
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MINUTE: FieldSpec = { name: 'minute', min: 0, max: 59 };
const HOUR: FieldSpec = { name: 'hour', min: 0, max: 23 };
const DAY_OF_MONTH: FieldSpec = { name: 'day-of-month', min: 1, max: 31 };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const MONTH: FieldSpec = { name: 'month', min: 1, max: 12, names: ['', ...MONTHS] };
/** Standard cron day-of-week: 0..7, both 0 and 7 are Sunday. */
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const DAY_OF_WEEK: FieldSpec = { name: 'day-of-week', min: 0, max: 7, names: DAYS };

const bad = (cron: string, why: string): AirlessError =>
  new AirlessError('BadInput', `schedule '${cron}' cannot be expressed for EventBridge Scheduler: ${why}`);

function parseValue(text: string, spec: FieldSpec, cron: string): number {
  const named = text === '' ? -1 : (spec.names?.indexOf(text.toUpperCase()) ?? -1);
  const value = named >= 0 ? named : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
    throw bad(cron, `${spec.name} value '${text}' is out of ${spec.min}-${spec.max}`);
  }
  return value;
}

/** Expands one cron field (lists, ranges, steps, names) into the set of values it matches. */
function expandField(field: string, spec: FieldSpec, cron: string): Set<number> {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1)
      throw bad(cron, `${spec.name} step '${part}' is not a positive integer`);
    let from: number;
    let to: number;
    if (range === '*') {
      [from, to] = [spec.min, spec.max];
    } else if (range.includes('-')) {
      const [a, b] = range.split('-') as [string, string];
      [from, to] = [parseValue(a, spec, cron), parseValue(b, spec, cron)];
      if (from > to) throw bad(cron, `${spec.name} range '${range}' runs backwards`);
    } else {
      from = parseValue(range, spec, cron);
      to = stepText === undefined ? from : spec.max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/**
 * Renders a set of values compactly: `*`, `start/step` (not in day-of-week, where EventBridge has
 * no `/`), or a list of ranges.
 */
function renderSet(values: Set<number>, min: number, max: number, label?: (v: number) => string): string {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === max - min + 1) return '*';
  const first = sorted[0]!;
  const step = sorted.length > 2 && label === undefined ? sorted[1]! - first : 0;
  const show = label ?? String;
  const isProgression =
    step > 1 && sorted.every((v, i) => v === first + i * step) && sorted[sorted.length - 1]! + step > max;
  if (isProgression) return `${first}/${step}`;
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    const [a, b] = [sorted[i]!, sorted[j]!];
    parts.push(a === b ? show(a) : `${show(a)}-${show(b)}`);
    i = j + 1;
  }
  return parts.join(',');
}

const isFull = (values: Set<number>, spec: FieldSpec): boolean => values.size === spec.max - spec.min + 1;

/**
 * Day-of-week as EventBridge reads it: names SUN..SAT, except in the `nL` (last) and `n#k` (k-th)
 * forms, which AWS documents with its own numbers, Sunday = 1.
 */
function renderDayOfWeek(field: string, cron: string): string {
  const special = /^([0-7]|[a-z]{3})(#[1-5]|L)$/i.exec(field);
  if (special) return `${(parseValue(special[1]!, DAY_OF_WEEK, cron) % 7) + 1}${special[2]!.toUpperCase()}`;
  const days = new Set([...expandField(field, DAY_OF_WEEK, cron)].map((d) => d % 7));
  return renderSet(days, 0, 6, (d) => DAYS[d]!);
}

function renderDayOfMonth(field: string, cron: string): string {
  if (/^(L|L-\d{1,2}|\d{1,2}W|LW)$/i.test(field)) return field.toUpperCase();
  return renderSet(expandField(field, DAY_OF_MONTH, cron), 1, 31);
}

function dayOfWeekIsFull(field: string, cron: string): boolean {
  if (/[#L]/i.test(field)) return false;
  return new Set([...expandField(field, DAY_OF_WEEK, cron)].map((d) => d % 7)).size === 7;
}

function cronExpressions(cron: string): string[] {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) throw bad(cron, `expected 5 fields, got ${fields.length}`);
  // croner (the validator) reads `?` in a day field as `*`.
  const [minute, hour, dom, month, dow] = fields.map((f) => (f === '?' ? '*' : f)) as [
    string,
    string,
    string,
    string,
    string,
  ];
  const head = [
    renderSet(expandField(minute, MINUTE, cron), 0, 59),
    renderSet(expandField(hour, HOUR, cron), 0, 23),
  ].join(' ');
  const monthText = renderSet(expandField(month, MONTH, cron), 1, 12);
  const domFull = !/[LW]/i.test(dom) && isFull(expandField(dom, DAY_OF_MONTH, cron), DAY_OF_MONTH);
  const dowFull = dayOfWeekIsFull(dow, cron);
  const byMonthDay = `cron(${head} ${domFull ? '*' : renderDayOfMonth(dom, cron)} ${monthText} ? *)`;
  const byWeekDay = `cron(${head} ? ${monthText} ${renderDayOfWeek(dow, cron)} *)`;

  if (domFull && dowFull) return [byMonthDay];
  if (dom.startsWith('*') || dow.startsWith('*')) {
    // Vixie cron ANDs the day fields when either starts with '*': only the restricted one counts.
    if (!domFull && !dowFull) {
      throw bad(cron, 'both day fields are restricted and one starts with *, which EventBridge cannot AND');
    }
    return [dowFull ? byMonthDay : byWeekDay];
  }
  // Both written explicitly: standard cron fires when either matches.
  if (domFull || dowFull) return [`cron(${head} * ${monthText} ? *)`];
  return [byMonthDay, byWeekDay];
}

function rateExpression(everySeconds: number, source: string): string {
  if (everySeconds < 60 || everySeconds % 60 !== 0) throw bad(source, 'rates go in whole minutes');
  const [value, unit] =
    everySeconds % 86_400 === 0
      ? [everySeconds / 86_400, 'day']
      : everySeconds % 3600 === 0
        ? [everySeconds / 3600, 'hour']
        : [everySeconds / 60, 'minute'];
  return `rate(${value} ${unit}${value === 1 ? '' : 's'})`;
}

/** ISO instant → EventBridge one-time form `at(yyyy-mm-ddThh:mm:ss)` (read in the schedule's zone; we pass UTC). */
export const atExpression = (instant: Date): string => `at(${instant.toISOString().slice(0, 19)})`;

/**
 * The EventBridge schedules for a DAG's schedule, or none for `schedule: null`. `@once` becomes a
 * one-time `at()` schedule on the first whole minute at least a minute after `now`, in UTC; the
 * caller creates it only on first registration.
 */
export function toEventBridgeSchedules(
  schedule: ScheduleIR,
  timezone: string,
  now: Date,
): EventBridgeSchedule[] {
  switch (schedule.kind) {
    case 'none':
      return [];
    case 'once': {
      // At least a minute ahead, on a whole minute: a one-time schedule must not be in the past.
      const at = new Date(Math.ceil((now.getTime() + 60_000) / 60_000) * 60_000);
      return [{ suffix: '', expression: atExpression(at), timezone: 'UTC' }];
    }
    case 'rate':
      return [{ suffix: '', expression: rateExpression(schedule.every_s, schedule.source), timezone }];
    case 'cron':
      return cronExpressions(schedule.cron).map((expression, i) => ({
        suffix: i === 0 ? '' : '.dow',
        expression,
        timezone,
      }));
  }
}
