import { Cron } from 'croner';

/**
 * When an EventBridge Scheduler expression fires, as the local Scheduler service needs it:
 * `cron(min hour dom month dow year)` (Quartz-style: Sunday = 1, `?` in one day field, `L`, `W`,
 * `#`), `rate(n unit)` (every n units from the schedule's creation) and `at(yyyy-mm-ddThh:mm:ss)`
 * (once, read in the schedule's time zone). Anything else is refused when the schedule is written.
 */
export type ScheduleTimes = (after: Date) => Date | null;

const RATE = /^rate\((\d{1,6}) (minute|minutes|hour|hours|day|days)\)$/;
const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;
const CRON = /^cron\(([^)]{1,200})\)$/;
const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
/** Field maxima, to write EventBridge's `start/step` as croner's `start-max/step`. */
const FIELD_MAX = [59, 23, 31, 12, 7];

function cronPattern(body: string): string {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) throw new Error(`cron() needs 6 fields, got ${fields.length}`);
  const [year] = fields.splice(5, 1) as [string];
  const rendered = fields.map((field, i) =>
    field
      .split(',')
      .map((part) => {
        const stepped = /^(\d+)\/(\d+)$/.exec(part);
        if (stepped) return `${stepped[1]}-${FIELD_MAX[i]}/${stepped[2]}`;
        // EventBridge's "last <weekday>" is `6L`; croner writes it `6#L`.
        if (i === 4 && /^\d[Ll]$/.test(part)) return `${part[0]}#L`;
        return part;
      })
      .join(','),
  );
  return ['0', ...rendered, year === '?' ? '*' : year].join(' ');
}

/** The fire times of one schedule; throws a message for an expression the service does not take. */
export function scheduleTimes(expression: string, timezone: string, createdAt: Date): ScheduleTimes {
  const rate = RATE.exec(expression);
  if (rate) {
    const unit = rate[2]!.replace(/s$/, '') as keyof typeof UNIT_MS;
    const period = Number(rate[1]) * UNIT_MS[unit];
    if (period <= 0) throw new Error('a rate must be at least 1');
    const origin = createdAt.getTime();
    return (after) => new Date(origin + (Math.floor((after.getTime() - origin) / period) + 1) * period);
  }
  const at = AT.exec(expression);
  if (at) {
    const once = new Cron(at[1]!, { timezone, paused: true });
    const when = once.getOnce();
    if (when === null) throw new Error(`at() time '${at[1]}' is not a date`);
    return (after) => (when.getTime() > after.getTime() ? when : null);
  }
  const cron = CRON.exec(expression);
  if (cron) {
    const job = new Cron(cronPattern(cron[1]!), { timezone, paused: true, alternativeWeekdays: true });
    return (after) => job.nextRun(after);
  }
  throw new Error(`'${expression}' is not a cron(), rate() or at() expression`);
}
