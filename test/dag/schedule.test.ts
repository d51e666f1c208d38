import { describe, expect, it } from 'vitest';
import { isTimeZone, parseSchedule } from '../../src/dag/schedule.ts';

describe('parseSchedule', () => {
  it('reads null, @once, presets, cron and rate', () => {
    expect(parseSchedule(null)).toEqual({ ok: true, schedule: { kind: 'none' } });
    expect(parseSchedule('@once')).toEqual({ ok: true, schedule: { kind: 'once', source: '@once' } });
    expect(parseSchedule('@quarterly')).toEqual({
      ok: true,
      schedule: { kind: 'cron', cron: '0 0 1 */3 *', source: '@quarterly' },
    });
    expect(parseSchedule(' 0  3 * * 1-5 ')).toEqual({
      ok: true,
      schedule: { kind: 'cron', cron: '0 3 * * 1-5', source: '0  3 * * 1-5' },
    });
    expect(parseSchedule('rate(15 minutes)')).toEqual({
      ok: true,
      schedule: { kind: 'rate', every_s: 900, source: 'rate(15 minutes)' },
    });
    expect(parseSchedule('rate(1 day)')).toMatchObject({ ok: true, schedule: { every_s: 86_400 } });
  });

  it.each([
    ['@continuous', /not supported/],
    ['@every5m', /unknown schedule preset/],
    ['0 3 * * * *', /expected 5 fields/],
    ['61 * * * *', /minute/],
    ['0 0 31 4 *', /never fires/],
    ['rate(2 weeks)', /bad rate/],
    ['rate(0 hours)', /bad rate/],
  ])('rejects %s', (schedule, message) => {
    const result = parseSchedule(schedule);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

describe('isTimeZone', () => {
  it('knows IANA names and UTC, not abbreviations or typos', () => {
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Europe/Stockholm')).toBe(true);
    expect(isTimeZone('America/New_York')).toBe(true);
    expect(isTimeZone('CEST')).toBe(false);
    expect(isTimeZone('Europe/Stokholm')).toBe(false);
  });
});
