import type { PlanIR } from '../../compiler/ir.ts';
import { manualRunContext } from '../simulate/run-context.ts';
import type { SimulateOptions } from '../simulate/simulate-aws.ts';
import type { RunTrace, TaskTrace } from '../simulate/trace.ts';
import { runDagOnDurable, type DurableRunReport } from './run-dag.ts';

/** The trace of a Durable run in the shape `airless run --trace` writes for every engine. */
export function traceOf(plan: PlanIR, report: DurableRunReport): RunTrace {
  const tasks: Record<string, TaskTrace> = {};
  for (const { task_id } of plan.tasks) {
    const t = report.result.tasks[task_id];
    if (t === undefined) throw new Error(`the run finished without a record of task ${task_id}`);
    const ran = t.try_number > 0;
    tasks[task_id] = {
      state: t.state,
      try_number: t.try_number,
      start_s: ran ? t.start_s : null,
      end_s: ran ? t.end_s : null,
    };
  }
  return {
    dag_id: plan.dag_id,
    run_id: report.result.run_id,
    state: report.result.state,
    makespan_s: report.makespan_s,
    // Durable Functions has no state transitions; its cost and limit is history.
    transitions: 0,
    history_events: report.history_events,
    tasks,
  };
}

/**
 * Runs the plan's generic orchestrator in the local Durable host on a virtual clock, every task
 * replaced by a durable timer of its expected_duration that fails every try when listed. Replay is
 * incremental (the tests show it writes the same histories as full replay) so large DAGs stay fast.
 */
export async function simulateAzure(
  plan: PlanIR,
  options: SimulateOptions & { replay?: 'full' | 'incremental' },
): Promise<RunTrace> {
  const ids = new Set(plan.tasks.map((t) => t.task_id));
  for (const id of options.fail) if (!ids.has(id)) throw new Error(`--fail names an unknown task: ${id}`);
  const run = manualRunContext(plan, options.conf, options.now ?? new Date());
  const report = await runDagOnDurable(plan, run, {
    simulate: { fail: [...options.fail] },
    resume: options.resume,
    replay: options.replay ?? 'incremental',
  });
  return traceOf(plan, report);
}
