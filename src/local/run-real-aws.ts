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

interface Progress {
  tries: number;
  polls: number;
  start_s: number | null;
  end_s: number | null;
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
    const started = emu ? emu.clock.now() : Date.now();
    const seconds = () => Math.round(((emu ? emu.clock.now() : Date.now()) - started) / 10) / 100;
    const progress = new Map<string, Progress>();
    const byId = new Map(plan.tasks.map((t) => [t.task_id, t]));

    const resource = async (payload: unknown): Promise<unknown> => {
      const call = payload as TaskInvocation;
      const id = String(call?.task?.task_id);
      const p = progress.get(id) ?? { tries: 0, polls: 0, start_s: null, end_s: null };
      progress.set(id, p);
      const say = (what: string) =>
        print(`[${seconds().toFixed(1).padStart(6)} s] ${id} try ${call?.try_number}: ${what}`);
      if (call?.op === 'submit') {
        p.tries = Math.max(p.tries, call.try_number);
        p.polls = 0;
        p.start_s ??= seconds();
      } else p.polls++;
      try {
        const result = await handleTask(payload, deps);
        if (call.op === 'submit' && 'job' in result) {
          const { job } = result;
          say(`submitted ${job.job_name}${job.job_id ? ` (job id ${job.job_id})` : ''}`);
        } else if (call.op === 'submit') {
          p.end_s = seconds();
          say('done');
        } else {
          const output = (result as { output: Record<string, unknown> }).output;
          p.end_s = seconds();
          say(
            `${String(output.status ?? 'done')} after ${p.polls} poll(s)${output.job_id ? `, job id ${String(output.job_id)}` : ''}`,
          );
        }
        return result;
      } catch (error) {
        if (isAirlessError(error, 'StillRunning') && emu) {
          const task = byId.get(id);
          const poke = task?.poke_interval_s ?? 15;
          say(`poll ${p.polls}: ${(error as Error).message}`);
          emu.clock.advance(Math.min(task?.max_poke_interval_s ?? poke, poke * 2 ** (p.polls - 1)));
        } else {
          p.end_s = seconds();
          say(`${(error as Error).name}: ${(error as Error).message}`);
        }
        throw error;
      }
    };

    const compiled = compileAsl(plan);
    const run = manualRunContext(plan, options.conf, options.now ?? new Date());
    print(`run ${run.run_id} of ${plan.dag_id}`);
    const { result, records } = await runCompiledDag(
      compiled,
      run,
      { [TASK_HANDLER]: resource },
      options.onEvent,
    );
    const tasks: Record<string, TaskTrace> = {};
    for (const { task_id } of plan.tasks) {
      const p = progress.get(task_id);
      tasks[task_id] = {
        state: records.tasks[task_id] ?? 'upstream_failed',
        try_number: p?.tries ?? 0,
        start_s: p?.start_s ?? null,
        end_s: p?.end_s ?? null,
      };
    }
    return {
      dag_id: plan.dag_id,
      run_id: run.run_id,
      state: result.status === 'SUCCEEDED' ? 'success' : 'failed',
      makespan_s: Math.max(0, ...Object.values(tasks).map((t) => t.end_s ?? 0)),
      transitions: result.transitions,
      history_events: result.history_events,
      tasks,
    };
  } finally {
    await env.close();
  }
}
