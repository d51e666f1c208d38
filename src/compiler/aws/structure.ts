import type { PlanIR } from '../ir.ts';
import { limitWidth } from './lanes.ts';
import { phasedLanes } from './phases.ts';
import type { AddedOrdering, SpNode } from './sp-tree.ts';
import { addedOrderings, criticalSeconds, seriesParallel, width } from './sp-tree.ts';

/** The series-parallel shape chosen for a plan, and what it costs against the DAG itself. */
export interface Structure {
  tree: SpNode;
  /** Orderings the DAG did not have: from making it series-parallel, then from max_active_tasks lanes. */
  added: AddedOrdering[];
  true_critical_s: number;
  compiled_critical_s: number;
  /** compiled / true critical path; 1 when both are 0. */
  slowdown: number;
}

export function planStructure(plan: PlanIR): Structure {
  const durations = new Map(plan.tasks.map((t) => [t.task_id, t.expected_duration_s]));
  const duration = (id: string): number => durations.get(id)!;
  const input = { order: plan.graph.topological_order, edges: plan.graph.reduced_edges, duration };
  const sp = seriesParallel(input);
  const cap = plan.max_active_tasks;
  const limited = limitWidth(sp.tree, cap, duration);
  let chosen = { tree: limited.tree, added: [...sp.added, ...limited.added] };
  let compiled = criticalSeconds(chosen.tree, duration);
  if (width(sp.tree) > cap) {
    const phased = phasedLanes(input, cap);
    const seconds = criticalSeconds(phased, duration);
    if (seconds < compiled - 1e-9) {
      chosen = { tree: phased, added: addedOrderings(phased, input.edges) };
      compiled = seconds;
    }
  }
  const truth = plan.graph.critical_path.seconds;
  return {
    tree: chosen.tree,
    added: chosen.added,
    true_critical_s: truth,
    compiled_critical_s: compiled,
    slowdown: truth > 0 ? compiled / truth : 1,
  };
}
