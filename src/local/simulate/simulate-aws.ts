import { TASK_HANDLER } from '../../compiler/aws/asl-types.ts';
import { compileAsl } from '../../compiler/aws/asl.ts';
import type { PlanIR } from '../../compiler/ir.ts';
import { executionInputOf } from '../../aws/execution-input.ts';
import type { Resume } from '../../runs/resume.ts';
import { manualRunContext } from './run-context.ts';
import type { EngineEvent } from '../aws/aws-engine.ts';
import { Simulator } from './simulator.ts';
import { runOnClock } from './clocked-run.ts';
import { VirtualClock } from './virtual-clock.ts';
import type { RunTrace, TaskTrace } from './trace.ts';

export interface SimulateOptions {
  conf: Record<string, unknown>;
  /** Task ids that fail on every try. */
  fail: readonly string[];
  now?: Date;
  /** Every engine event (tests measure state sizes with it). */
  onEvent?: (event: EngineEvent) => void;
  /** A re-run of a cleared run (src/runs/resume.ts). */
  resume?: Resume;
}

/** Compiles the plan to ASL and runs it in aws-local-stepfunctions with the simulator as every task, on a virtual clock. */
export async function simulateAws(plan: PlanIR, options: SimulateOptions): Promise<RunTrace> {
  const clock = new VirtualClock();
  const simulator = new Simulator(plan, new Set(options.fail), clock, options.resume?.try_base);
  const compiled = compileAsl(plan);
  const run = manualRunContext(plan, options.conf, options.now ?? new Date());
  const { resume } = executionInputOf(plan, run, options.resume);
  const handler = { [TASK_HANDLER]: simulator.handle };
  const ran = await runOnClock(compiled, run, handler, clock, options.onEvent, resume);
  const { result, records } = ran;
  const tasks: Record<string, TaskTrace> = {};
  let makespan = 0;
  for (const { task_id } of plan.tasks) {
    const state = records.tasks[task_id];
    if (!state) throw new Error(`the run finished without a record of task ${task_id}`);
    const sim = simulator.tasks.get(task_id);
    tasks[task_id] = {
      state,
      try_number: sim?.tries ?? options.resume?.prior[task_id]?.try_number ?? 0,
      start_s: sim?.start_s ?? null,
      end_s: sim?.end_s ?? null,
    };
    makespan = Math.max(makespan, sim?.end_s ?? 0);
  }
  return {
    dag_id: plan.dag_id,
    run_id: run.run_id,
    state: result.status === 'SUCCEEDED' ? 'success' : 'failed',
    makespan_s: makespan,
    transitions: result.transitions,
    history_events: result.history_events,
    tasks,
  };
}
