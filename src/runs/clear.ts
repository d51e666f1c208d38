import type { PlanIR } from '../compiler/ir.ts';
import type { TaskInstanceRecord } from './api/backend.ts';

export interface ClearSelection {
  /** The tasks to clear; null is every task of the DAG. */
  task_ids: readonly string[] | null;
  /** Keep only the selected task instances that ended failed or upstream_failed. */
  only_failed: boolean;
  include_downstream: boolean;
  include_upstream: boolean;
}

/** Airflow's State.failed_states: what only_failed keeps. */
const FAILED_STATES: ReadonlySet<string | null> = new Set(['failed', 'upstream_failed']);

/**
 * The tasks of one run a clear selects, with Airflow's clearTaskInstances meaning: the named tasks
 * (every task when task_ids is null), plus their transitive downstream and/or upstream when asked
 * (DAG.partial_subset; without task_ids the whole DAG is selected already), then, with only_failed,
 * only those whose instance is failed or upstream_failed. Task ids the plan does not know are
 * ignored. Returned in the plan's topological order. Linear in tasks and edges.
 */
export function selectCleared(
  plan: PlanIR,
  tis: readonly TaskInstanceRecord[],
  selection: ClearSelection,
): string[] {
  const byId = new Map(plan.tasks.map((t) => [t.task_id, t]));
  let chosen: Set<string>;
  if (selection.task_ids === null) {
    chosen = new Set(byId.keys());
  } else {
    const named = selection.task_ids.filter((id) => byId.has(id));
    chosen = new Set(named);
    const walk = (edges: (id: string) => readonly string[]): void => {
      const seen = new Set<string>(named);
      const stack = [...named];
      while (stack.length > 0) {
        for (const next of edges(stack.pop()!)) {
          if (seen.has(next)) continue;
          seen.add(next);
          chosen.add(next);
          stack.push(next);
        }
      }
    };
    if (selection.include_downstream) walk((id) => byId.get(id)!.downstream);
    if (selection.include_upstream) walk((id) => byId.get(id)!.upstream);
  }
  if (selection.only_failed) {
    const state = new Map(tis.map((ti) => [ti.task_id, ti.state]));
    chosen = new Set([...chosen].filter((id) => FAILED_STATES.has(state.get(id) ?? null)));
  }
  return plan.tasks.map((t) => t.task_id).filter((id) => chosen.has(id));
}
