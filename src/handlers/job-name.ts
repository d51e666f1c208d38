import { createHash } from 'node:crypto';
import type { TaskInvocation } from './contract.ts';

const MAX_LENGTH = 63;

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The name a job is submitted under, and found again by on a retried submit. It is the task's
 * rendered `job_name`, or `<dag_id>-<task_id>-<run_id>`; a job-starting submit of try N > 1 adds
 * `-tryN`, so a task retry starts a new job while a repeated call of the same try finds the old one.
 * Normalised to lowercase [a-z0-9-] (HDInsight wants lowercase; Genie ids and Flink job ids derive
 * from it), at most 63 characters, with a hash suffix when it had to be cut.
 */
export function jobNameFor(
  invocation: TaskInvocation,
  rendered: string | undefined,
  startsJob: boolean,
): string {
  const base = rendered ?? `${invocation.run.dag_id}-${invocation.task.task_id}-${invocation.run.run_id}`;
  const full = startsJob && invocation.try_number > 1 ? `${base}-try${invocation.try_number}` : base;
  const name = full
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '');
  if (name.length <= MAX_LENGTH && name !== '') return name;
  return `${name.slice(0, MAX_LENGTH - 9).replace(/-$/, '')}-${sha256Hex(full).slice(0, 8)}`;
}

/** A stable 32-hex id (a Flink JobID or trigger id) for a name, so repeating a call reuses it. */
export const stableHexId = (...parts: string[]): string => sha256Hex(parts.join('\u0000')).slice(0, 32);
