import type { PlanIR } from '../compiler/ir.ts';
import { didYouMean } from '../dag/diagnostics.ts';
import { parseLogicalDate as parseApiLogicalDate } from '../runs/run-ids.ts';
import { resolveRunParams } from '../dag/params.ts';
import { readJsonArgument } from './json-argument.ts';
import { UsageError } from './usage.ts';

/**
 * What `airless run` reads besides the DAG: the run conf (checked as the HTTP API checks a
 * trigger's conf, before anything starts) and the logical date.
 */

/** `--conf`: JSON when it parses as JSON (so `[1,2]` is an array, not a file name), else a file. */
export async function readConf(value: string | undefined): Promise<Record<string, unknown>> {
  if (value === undefined) return {};
  const conf = await readJsonArgument('--conf', value);
  if (conf === null || typeof conf !== 'object' || Array.isArray(conf))
    throw new UsageError(
      `--conf: conf must be a JSON object, got ${Array.isArray(conf) ? 'an array' : conf === null ? 'null' : typeof conf}`,
    );
  return conf as Record<string, unknown>;
}

/**
 * Every problem of a conf for this DAG, as `conf.<field>: <message>` lines: the per-param
 * messages of the HTTP API (resolveRunParams), and conf keys that are neither a param nor read by
 * a `{{ conf.<key> }}` template, which can only be typos.
 */
export function confProblems(plan: PlanIR, conf: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const resolved = resolveRunParams(plan.params, conf);
  if (!resolved.ok) for (const e of resolved.errors) problems.push(`conf.${e.field}: ${e.message}`);
  const read = new Set<string>();
  for (const task of plan.tasks)
    for (const { ref } of task.templates) if (ref.startsWith('conf.')) read.add(ref.split('.')[1]!);
  const known = [...Object.keys(plan.params), ...read];
  for (const key of Object.keys(conf).sort()) {
    if (known.includes(key)) continue;
    problems.push(
      `conf.${key}: is not a param of ${plan.dag_id} and no template reads it${didYouMean(key, known)}`,
    );
  }
  return problems;
}

/**
 * `--logical-date` as `airflow dags test <dag> <date>` takes it: a date (midnight UTC) or a
 * date-time with a zone, checked as the HTTP API checks a trigger's logical_date (a day the month
 * lacks is refused, not rolled over); `ds`, `ts` and the run id derive from it.
 */
export function parseLogicalDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const instant = parseApiLogicalDate(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (instant === null)
    throw new UsageError(
      `--logical-date must be a date (2026-01-15) or a date-time with a zone (2026-01-15T06:00:00Z), got '${value}'`,
    );
  return new Date(instant);
}
