import { TASK_HANDLER } from '../compiler/aws/asl-types.ts';
import { compileAsl } from '../compiler/aws/asl.ts';
import type { PlanIR } from '../compiler/ir.ts';
import { isAirlessError } from '../errors.ts';
import type { TaskInvocation } from '../handlers/contract.ts';
import { handleTask } from '../handlers/task.ts';
import type { EngineEvent } from './aws-engine.ts';
import { runCompiledDag } from './aws-run.ts';
import type { EmulatorOptions, RunningEmulators } from './emulators/index.ts';
import { startHandlerEnvironment } from './handler-environment.ts';
import { RunProgress, runHeader } from './progress.ts';
import { manualRunContext } from './simulate/run-context.ts';
import type { RunTrace, TaskTrace } from './simulate/trace.ts';

/** Kept for callers that imported them from here. */
export { emulatorCredential, emulatorRuntime } from './handler-environment.ts';

export interface RealRunOptions {
  conf: Record<string, unknown>;
  /** Where progress lines go (stdout by default). */
  print?: (line: string) => void;
  now?: Date;
  /** Options of the in-process emulators (job run lengths, clusters, faults are armed in onEmulators). */
  emulators?: EmulatorOptions;
  /** Called once the emulators run, before the workflow starts (tests arm faults, seed jobs, read counters). */
  onEmulators?: (emu: RunningEmulators) => void | Promise<void>;
  /** Every engine event (state entered/exited, retries), as Step Functions history would show it. */
  onEvent?: (event: EngineEvent) => void;
}

/**
 * `airless run` with real handlers: the compiled ASL in aws-local-stepfunctions, every task state
 * calling `handleTask`. By default the emulators start in-process and the handlers are pointed at
 * them (ARM, Entra ID, Key Vault, Flink, Genie); AIRLESS_EMULATORS=off uses the endpoints of the
 * environment instead (see src/clients/runtime-config.ts). Emulated time moves by each poll's
 * Retry interval (poke_interval doubling up to max_poke_interval), as Step Functions would wait.
 */
export async function runAwsWithHandlers(plan: PlanIR, options: RealRunOptions): Promise<RunTrace> {
  const print = options.print ?? ((line: string) => console.log(line));
  const env = await startHandlerEnvironment(print, options.emulators);
  const { emu, deps } = env;
  try {
    if (emu) await options.onEmulators?.(emu);
    const progress = new RunProgress(
      print,
      () => (emu ? emu.clock.now() : Date.now()),
      emu ? 'emulated' : 'wall-clock',
    );
    const byId = new Map(plan.tasks.map((t) => [t.task_id, t]));

    const resource = (payload: unknown): Promise<unknown> => {
      const call = payload as TaskInvocation;
      return progress
        .call(call, () => handleTask(payload, deps))
        .catch((error: unknown) => {
          // In-process emulators move only when told: a poll's Retry interval passes on their clock.
          if (isAirlessError(error, 'StillRunning') && emu) {
            const task = byId.get(call.task.task_id);
            const poke = task?.poke_interval_s ?? 15;
            const polls = progress.tasks.get(call.task.task_id)?.polls ?? 1;
            emu.clock.advance(Math.min(task?.max_poke_interval_s ?? poke, poke * 2 ** (polls - 1)));
          }
          throw error;
        });
    };

    const { definition } = compileAsl(plan);
    const run = manualRunContext(plan, options.conf, options.now ?? new Date());
    print(runHeader(run.run_id, plan.dag_id, 'aws (aws-local-stepfunctions)', emu !== undefined));
    const { result, records } = await runCompiledDag(
      definition,
      run,
      { [TASK_HANDLER]: resource },
      options.onEvent,
      // Against real endpoints every Retry and Wait takes its real time.
      emu ? 'instant' : 'real',
    );
    const tasks: Record<string, TaskTrace> = {};
    for (const { task_id } of plan.tasks) {
      const p = progress.tasks.get(task_id);
      tasks[task_id] = {
        state: records.tasks[task_id] ?? 'upstream_failed',
        try_number: p?.tries ?? 0,
        start_s: p?.start_s ?? null,
        end_s: p?.end_s ?? null,
        job_id: p?.job_id ?? null,
      };
    }
    return {
      dag_id: plan.dag_id,
      run_id: run.run_id,
      state: result.status === 'SUCCEEDED' ? 'success' : 'failed',
      makespan_s: Math.max(0, ...Object.values(tasks).map((t) => t.end_s ?? 0)),
      time_base: progress.timeBase,
      transitions: result.transitions,
      history_events: result.history_events,
      tasks,
    };
  } finally {
    await env.close();
  }
}
