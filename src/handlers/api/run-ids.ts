import { createHash } from 'node:crypto';
import type { RunType } from './run-store.ts';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Airflow's form of an instant: `2026-01-01T00:00:00+00:00` (UTC, milliseconds only when present). */
export function airflowInstant(date: Date): string {
  return date
    .toISOString()
    .replace(/\.000Z$/, 'Z')
    .replace(/Z$/, '+00:00');
}

/** Airflow's generated run ids: `manual__<logical_date>`, `scheduled__<logical_date>`, ... */
export const defaultRunId = (runType: RunType, logicalDate: string): string => `${runType}__${logicalDate}`;

/**
 * Step Functions execution names allow 1..80 of [A-Za-z0-9_-] safely; an Airflow run id often has
 * ':' and '+'. The name is a pure function of the run id, so a retried start finds the same execution.
 */
export function executionName(runId: string): string {
  if (/^[A-Za-z0-9_-]{1,80}$/.test(runId)) return runId;
  return `${runId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 67)}-${sha256(runId).slice(0, 12)}`;
}

/** The trigger request as sent, hashed: the same run id with another body is a conflict. */
export const requestHash = (body: { conf: Record<string, unknown>; logical_date: string | null }): string =>
  sha256(JSON.stringify([canonical(body.conf), body.logical_date]));

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
  );
}
