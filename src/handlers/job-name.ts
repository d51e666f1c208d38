import { createHash } from 'node:crypto';
import type { TaskInvocation } from './contract.ts';

/** HDInsight job names, Genie job ids and the seed of pinned Flink JobIDs all fit 63 of [a-z0-9-]. */
export const JOB_NAME_MAX = 63;
const HASH_LENGTH = 10;
const VALID = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Each part prefixed with its length, so no two different part lists encode alike. */
const lengthPrefixed = (parts: string[]): string => parts.map((p) => `${p.length}:${p}`).join('');

const normalise = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '');

/**
 * The name a job is submitted under, and found again by on a retried submit: a pure function of
 * the exact ids, and different ids never share a job (HDInsight wants lowercase [a-z0-9-]; Genie ids
 * and Flink JobIDs derive from the name).
 *
 * - No `job_name`: `<dag_id>-<task_id>-<run_id>` normalised, then `-` and 10 hex of sha256 over the
 *   exact (dag_id, run_id, task_id, try) ids, so `load_data`/`load-data` or runs `Backfill.1`/
 *   `backfill-1` get different jobs.
 * - A rendered `job_name` names the job whatever task renders it (NEW, then STOP by the same name):
 *   used as written when it is already a valid name (to reach jobs made elsewhere, or a name an
 *   upstream task's output gave); otherwise normalised with a hash of the exact text.
 * - A job-starting submit of try N > 1 always gets `-tryN` and a hash over the try as well, so a
 *   task retry starts a new job while a repeated call of the same try finds the old one.
 * At most 63 characters; a cut keeps the hash.
 */
export function jobNameFor(
  invocation: TaskInvocation,
  rendered: string | undefined,
  startsJob: boolean,
): string {
  const { dag_id, run_id } = invocation.run;
  const task_id = invocation.task.task_id;
  const retry = startsJob && invocation.try_number > 1 ? invocation.try_number : null;
  const text = (rendered ?? `${dag_id}-${task_id}-${run_id}`) + (retry === null ? '' : `-try${retry}`);
  if (rendered !== undefined && retry === null && rendered.length <= JOB_NAME_MAX && VALID.test(rendered)) {
    return rendered;
  }
  const identity =
    rendered === undefined
      ? ['default', dag_id, run_id, task_id, String(retry ?? 1)]
      : ['named', rendered, String(retry ?? 1)];
  const hash = sha256Hex(lengthPrefixed(identity)).slice(0, HASH_LENGTH);
  const prefix = normalise(text.slice(0, 4 * JOB_NAME_MAX))
    .slice(0, JOB_NAME_MAX - HASH_LENGTH - 1)
    .replace(/-$/, '');
  return `${prefix || 'job'}-${hash}`;
}

/** A stable 32-hex id (a Flink JobID or trigger id) for a name, so repeating a call reuses it. */
export const stableHexId = (...parts: string[]): string => sha256Hex(parts.join('\u0000')).slice(0, 32);
