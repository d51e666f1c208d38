import { Cron } from 'croner';
import { didYouMean } from './diagnostics.ts';

/** Airflow's cron presets (utils/dates.py cron_presets). */
export const SCHEDULE_PRESETS: Readonly<Record<string, string>> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@quarterly': '0 0 1 */3 *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@midnight': '0 0 * * *',
};

const RATE_RE = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/;
const RATE_UNIT_SECONDS: Record<string, number> = { minute: 60, hour: 3600, day: 86_400 };

export type ScheduleIR =
  | { kind: 'none' }
  | { kind: 'once'; source: '@once' }
  /** 5-field cron; `source` is what the file said (a preset such as "@daily" or the cron itself). */
  | { kind: 'cron'; cron: string; source: string }
  | { kind: 'rate'; every_s: number; source: string };

export type ScheduleResult = { ok: true; schedule: ScheduleIR } | { ok: false; message: string };

/** Parses a `schedule` value: null, a preset, a 5-field cron, or `rate(N unit)`. */
export function parseSchedule(source: string | null): ScheduleResult {
  if (source === null) return { ok: true, schedule: { kind: 'none' } };
  const text = source.trim();
  if (text === '@once') return { ok: true, schedule: { kind: 'once', source: '@once' } };
  if (text === '@continuous') {
    return {
      ok: false,
      message:
        "schedule '@continuous' is not supported: a serverless workflow has no scheduler loop to restart it; use a cron, a rate(...) or a data trigger",
    };
  }
  if (text.startsWith('@')) {
    const cron = SCHEDULE_PRESETS[text];
    if (cron === undefined) {
      const presets = ['@once', ...Object.keys(SCHEDULE_PRESETS)];
      const hint = didYouMean(text, presets);
      return {
        ok: false,
        message: `unknown schedule preset '${text}'${hint || ` (use ${presets.join(', ')})`}`,
      };
    }
    return { ok: true, schedule: { kind: 'cron', cron, source: text } };
  }
  if (text.startsWith('rate(') || text.startsWith('rate ')) {
    const m = RATE_RE.exec(text);
    if (!m || Number(m[1]) < 1) {
      return { ok: false, message: `bad rate '${text}': expected rate(N minutes|hours|days) with N >= 1` };
    }
    const unit = m[2]!.replace(/s$/, '');
    return {
      ok: true,
      schedule: { kind: 'rate', every_s: Number(m[1]) * RATE_UNIT_SECONDS[unit]!, source: text },
    };
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5) {
    return {
      ok: false,
      message: `bad cron '${text}': expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`,
    };
  }
  const cron = fields.join(' ');
  try {
    const job = new Cron(cron, { paused: true, timezone: 'UTC' });
    if (!job.nextRun(new Date(Date.UTC(2000, 0, 1)))) {
      return { ok: false, message: `cron '${text}' never fires` };
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern:\s*/, '') : String(error);
    return { ok: false, message: `bad cron '${text}': ${reason}` };
  }
  return { ok: true, schedule: { kind: 'cron', cron, source: text } };
}

let timeZones: Set<string> | undefined;

/** IANA zone names known to this runtime, plus UTC. */
export function knownTimeZones(): Set<string> {
  timeZones ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC']);
  return timeZones;
}

export const isTimeZone = (name: string): boolean => knownTimeZones().has(name);
