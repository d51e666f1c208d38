import type { PlanIR } from '../compiler/ir.ts';
import { FINAL_TASK_STATES } from '../compiler/ir.ts';
import type { TaskInstanceRecord } from './api/backend.ts';

/** A task's recorded outcome that a re-run keeps: it does not execute again. */
export interface RecordedTask {
  state: 'success' | 'failed' | 'skipped' | 'upstream_failed';
  try_number: number;
  outputs: Record<string, unknown> | null;
}

/**
 * What a re-run of a run starts from (both engines take it beside the run context):
 * - prior: the tasks that keep their recorded outcome; each stands exactly as if it had just ended
 *   that way (trigger rules, templates and gates read it), takes no slot and submits nothing;
 * - try_base: every other task's first try is `try_base[task] + 1` (0 when absent), so its job names
 *   differ from the earlier tries' and its retries count on from there.
 */
export interface Resume {
  prior: Record<string, RecordedTask>;
  try_base: Record<string, number>;
}

const FINAL: ReadonlySet<string> = new Set(FINAL_TASK_STATES);

/**
 * States in which a try may have been submitted without its end being recorded (a host died): that
 * same try runs again, and the handlers' idempotent submit finds the job it already created.
 */
const TRY_IN_FLIGHT: ReadonlySet<string> = new Set(['running', 'queued']);

/**
 * The resume of a run whose tasks `cleared` run again: every task not cleared whose state is final
 * keeps it (with its try number and outputs); every task's try base is its current try number, except
 * a task not cleared whose try was in flight, which runs that try again. Tasks missing from `tis`
 * (none recorded yet) start from try 1.
 */
export function resumeFrom(plan: PlanIR, tis: readonly TaskInstanceRecord[], cleared: Set<string>): Resume {
  const byId = new Map(tis.map((ti) => [ti.task_id, ti]));
  const prior: Record<string, RecordedTask> = {};
  const tryBase: Record<string, number> = {};
  for (const task of plan.tasks) {
    const id = task.task_id;
    const ti = byId.get(id);
    const tryNumber = Math.max(0, ti?.try_number ?? 0);
    const state = ti?.state ?? null;
    if (!cleared.has(id) && state !== null && FINAL.has(state)) {
      prior[id] = { state: state as RecordedTask['state'], try_number: tryNumber, outputs: ti!.outputs };
    }
    const again = !cleared.has(id) && state !== null && TRY_IN_FLIGHT.has(state);
    tryBase[id] = again ? Math.max(0, tryNumber - 1) : tryNumber;
  }
  return { prior, try_base: tryBase };
}
