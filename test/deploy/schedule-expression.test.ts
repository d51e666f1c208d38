import { describe, expect, it } from 'vitest';
import { parseSchedule } from '../../src/dag/schedule.ts';
import { toEventBridgeSchedules } from '../../src/aws/registry/schedule-expression.ts';

const NOW = new Date('2026-03-04T05:06:07.890Z');

function convert(source: string | null, timezone = 'UTC') {
  const parsed = parseSchedule(source);
  if (!parsed.ok) throw new Error(parsed.message);
  return toEventBridgeSchedules(parsed.schedule, timezone, NOW).map((s) => s.expression);
}

describe('Airflow schedule -> EventBridge Scheduler expression', () => {
  it.each([
    // every Airflow preset
    ['@hourly', ['cron(0 * * * ? *)']],
    ['@daily', ['cron(0 0 * * ? *)']],
    ['@midnight', ['cron(0 0 * * ? *)']],
    ['@weekly', ['cron(0 0 ? * SUN *)']],
    ['@monthly', ['cron(0 0 1 * ? *)']],
    ['@quarterly', ['cron(0 0 1 1/3 ? *)']],
    ['@yearly', ['cron(0 0 1 1 ? *)']],
    ['@annually', ['cron(0 0 1 1 ? *)']],
    ['@once', ['at(2026-03-04T05:08:00)']],
    [null, []],
    // rates keep their unit, normalised to the largest whole unit
    ['rate(15 minutes)', ['rate(15 minutes)']],
    ['rate(1 minute)', ['rate(1 minute)']],
    ['rate(120 minutes)', ['rate(2 hours)']],
    ['rate(90 minutes)', ['rate(90 minutes)']],
    ['rate(1 hour)', ['rate(1 hour)']],
    ['rate(48 hours)', ['rate(2 days)']],
    // steps and ranges
    ['*/15 * * * *', ['cron(0/15 * * * ? *)']],
    ['0-30/10 * * * *', ['cron(0,10,20,30 * * * ? *)']],
    ['5,10-12 */6 * * *', ['cron(5,10-12 0/6 * * ? *)']],
    ['0 12 * 1-3,10 *', ['cron(0 12 * 1-3,10 ? *)']],
    ['0 0 * JAN,jul *', ['cron(0 0 * 1,7 ? *)']],
    ['0 0 */10 * *', ['cron(0 0 1/10 * ? *)']],
    // day-of-week: Sunday is 0 and 7; EventBridge gets names; `?` goes in day-of-month
    ['0 9-17 * * 1-5', ['cron(0 9-17 ? * MON-FRI *)']],
    ['30 2 * * 0', ['cron(30 2 ? * SUN *)']],
    ['30 2 * * 7', ['cron(30 2 ? * SUN *)']],
    ['0 0 * * 0,7', ['cron(0 0 ? * SUN *)']],
    ['0 0 * * 5-7', ['cron(0 0 ? * SUN,FRI-SAT *)']],
    ['0 0 * * */2', ['cron(0 0 ? * SUN,TUE,THU,SAT *)']],
    ['0 0 * * sat,sun', ['cron(0 0 ? * SUN,SAT *)']],
    ['0 0 * * 0-7', ['cron(0 0 * * ? *)']],
    ['0 0 ? * 1', ['cron(0 0 ? * MON *)']],
    // last / nth / nearest-weekday forms (EventBridge numbers days from Sunday = 1 here)
    ['0 0 L * *', ['cron(0 0 L * ? *)']],
    ['0 0 15W * *', ['cron(0 0 15W * ? *)']],
    ['0 0 * * 5L', ['cron(0 0 ? * 6L *)']],
    ['0 0 * * 5#2', ['cron(0 0 ? * 6#2 *)']],
    ['0 0 * * FRI#2', ['cron(0 0 ? * 6#2 *)']],
    ['0 0 * * 7#1', ['cron(0 0 ? * 1#1 *)']],
    // both day fields written: cron ORs them, so two schedules (the run id dedupes a shared tick)
    ['0 0 1,15 * 1', ['cron(0 0 1,15 * ? *)', 'cron(0 0 ? * MON *)']],
    ['0 0 1-31 * 1', ['cron(0 0 * * ? *)']],
    ['0 6 13 * 5', ['cron(0 6 13 * ? *)', 'cron(0 6 ? * FRI *)']],
  ])('%s', (source, expected) => {
    expect(convert(source)).toEqual(expected);
  });

  it('names the OR half with a suffix that no dag_id can have', () => {
    const parsed = parseSchedule('0 0 1 * 1');
    if (!parsed.ok) throw new Error(parsed.message);
    expect(toEventBridgeSchedules(parsed.schedule, 'UTC', NOW).map((s) => s.suffix)).toEqual(['', '.dow']);
  });

  it.each(['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'UTC'])('keeps the time zone %s', (zone) => {
    const parsed = parseSchedule('0 3 * * *');
    if (!parsed.ok) throw new Error(parsed.message);
    expect(toEventBridgeSchedules(parsed.schedule, zone, NOW)).toEqual([
      { suffix: '', expression: 'cron(0 3 * * ? *)', timezone: zone },
    ]);
  });

  it('puts @once in UTC whatever the DAG zone, since at() reads the zone given', () => {
    expect(toEventBridgeSchedules({ kind: 'once', source: '@once' }, 'Europe/Paris', NOW)).toEqual([
      { suffix: '', expression: 'at(2026-03-04T05:08:00)', timezone: 'UTC' },
    ]);
  });

  it('refuses a cron whose day fields cron ANDs, with the reason', () => {
    expect(() => convert('0 0 */2 * 1')).toThrow(/both day fields are restricted/);
  });

  it('refuses a rate below a minute', () => {
    expect(() => toEventBridgeSchedules({ kind: 'rate', every_s: 30, source: 'x' }, 'UTC', NOW)).toThrow(
      /whole minutes/,
    );
  });
});
