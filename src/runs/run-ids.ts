import { createHash } from 'node:crypto';
import { airflowInstant } from '../dag/zoned-time.ts';
import type { RunType } from './run-store.ts';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export { airflowInstant };

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * A logical_date as RFC 3339 with an offset (`2026-01-01T00:00:00Z`, `...+02:00`), in Airflow's UTC
 * form; null for anything else: no offset, a date alone, `yesterday`, or a day the month lacks
 * (`2026-02-30` is not rolled over to March). The same check on both clouds.
 */
export function parseLogicalDate(text: string): string | null {
  const m = RFC3339.exec(text);
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (year < 1 || daysInMonth === undefined || day < 1 || day > daysInMonth) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (m[8] !== undefined) {
    const [h, min] = [Number(m[9]), Number(m[10])];
    if (h > 23 || min > 59) return null;
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (h * 60 + min);
  }
  const millis = m[7] === undefined ? 0 : Number(`${m[7].slice(1)}00`.slice(0, 3));
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0..99 as 1900..1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offsetMinutes, second, millis);
  return airflowInstant(date);
}

/** Airflow's generated run ids: `manual__<logical_date>`, `scheduled__<logical_date>`, ... */
export const defaultRunId = (runType: RunType, logicalDate: string): string => `${runType}__${logicalDate}`;

/** Airflow's `[scheduler] allowed_run_id_pattern` default; it leaves out `/`, spaces and controls. */
const ALLOWED_RUN_ID = /^[A-Za-z0-9_.~:+-]+$/;
/** Airflow's ID_LEN. */
export const RUN_ID_MAX = 250;
/** Prefixes of run ids the scheduler, backfills and data triggers make; a manual run cannot take one. */
const RESERVED_PREFIXES = ['scheduled__', 'backfill__', 'asset_triggered__', 'dataset_triggered__'];

/** Why a run id asked for in a manual trigger cannot be used, or null. */
export function manualRunIdProblem(runId: string): string | null {
  if (runId.length === 0 || runId.length > RUN_ID_MAX) return `must be 1 to ${RUN_ID_MAX} characters`;
  if (!ALLOWED_RUN_ID.test(runId)) return `must match ${ALLOWED_RUN_ID.source}`;
  if (runId.includes('..')) return "must not contain '..'";
  const reserved = RESERVED_PREFIXES.find((p) => runId.startsWith(p));
  if (reserved !== undefined) return `'${reserved}' is reserved for runs airless starts itself`;
  return null;
}

/**
 * Step Functions execution names allow 1..80 of [A-Za-z0-9_-] safely; an Airflow run id often has
 * ':' and '+'. The name is a pure function of the run id, so a retried start finds the same execution.
 */
export function executionName(runId: string): string {
  if (/^[A-Za-z0-9_-]{1,80}$/.test(runId)) return runId;
  return `${runId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 67)}-${sha256(runId).slice(0, 12)}`;
}

/**
 * The execution name of a run's attempt: the first is the run's own name; a re-run (attempt 2, 3,
 * ...) appends `-r<n>-` and a hash of both, so no two attempts of a run share a name and the name
 * stays within 80 characters.
 */
export function attemptName(name: string, attempt: number): string {
  if (attempt <= 1) return name;
  const suffix = `-r${attempt}-${sha256(`${name}\u0000${attempt}`).slice(0, 8)}`;
  return `${name.slice(0, 80 - suffix.length)}${suffix}`;
}

/** The trigger request as sent, hashed: the same run id with another body is a conflict. */
export const requestHash = (body: { conf: Record<string, unknown>; logical_date: string | null }): string =>
  sha256(`[${canonicalJson(body.conf)},${JSON.stringify(body.logical_date)}]`);

/** Own keys in the order JSON.stringify gives an object built from sorted keys: array indices first. */
const INDEX = /^(?:0|[1-9]\d{0,9})$/;
const isIndex = (k: string): boolean => INDEX.test(k) && Number(k) < 2 ** 32 - 1;
function keyOrder(a: string, b: string): number {
  const ia = isIndex(a);
  const ib = isIndex(b);
  if (ia && ib) return Number(a) - Number(b);
  if (ia !== ib) return ia ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * JSON with every object's keys sorted, written without recursion so no depth can overflow the
 * stack. For JSON values it equals JSON.stringify of the key-sorted copy the hash used before.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  // Work items: a value to write, or a literal piece of text.
  const stack: Array<{ value: unknown } | string> = [{ value }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const v = item.value;
    if (Array.isArray(v)) {
      stack.push(']');
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push({ value: v[i] === undefined ? null : v[i] });
        if (i > 0) stack.push(',');
      }
      out.push('[');
    } else if (v !== null && typeof v === 'object') {
      const record = v as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort(keyOrder);
      stack.push('}');
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push({ value: record[keys[i]!] });
        stack.push(`${i > 0 ? ',' : ''}${JSON.stringify(keys[i])}:`);
      }
      out.push('{');
    } else {
      out.push(JSON.stringify(v) ?? 'null');
    }
  }
  return out.join('');
}
