import { TASK_HANDLER } from '../../compiler/aws/asl-types.ts';
import { compileAsl } from '../../compiler/aws/asl.ts';
import type { PlanIR } from '../../compiler/ir.ts';
import { isAirlessError } from '../../errors.ts';
import { executionInputOf } from '../../aws/execution-input.ts';
import type { RunContext, TaskInvocation } from '../../handlers/contract.ts';
import type { Resume } from '../../runs/resume.ts';
import { handleTask } from '../../handlers/task.ts';
import type { EngineEvent } from './aws-engine.ts';
import { runCompiledDag } from './aws-run.ts';
import type { EmulatorOptions, RunningEmulators } from '../emulators/index.ts';
import { startHandlerEnvironment, type HandlerEnvironment } from '../handler-environment.ts';
import { RunProgress, runHeader } from '../progress.ts';
import { pollTime } from '../../compiler/aws/polling.ts';
import { retryDelays } from '../../compiler/aws/retry-delays.ts';
import { runOnClock } from '../simulate/clocked-run.ts';
import { manualRunContext } from '../simulate/run-context.ts';
import { VirtualClock } from '../simulate/virtual-clock.ts';
import type { RunTrace, TaskTrace } from '../simulate/trace.ts';

/** Kept for callers that imported them from here. */
export { emulatorCredential, emulatorRuntime } from '../handler-environment.ts';

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
  /** A handler environment already started (kept open): a re-run against the earlier run's emulators. */
  environment?: HandlerEnvironment;
  /** The run to execute (a re-run keeps its run); by default a new manual run. */
  run?: RunContext;
  /** A re-run of a cleared run (src/runs/resume.ts). */
  resume?: Resume;
}

/**
 * `airless run` with real handlers: the compiled ASL in aws-local-stepfunctions, every task state
 * calling `handleTask`. By default the emulators start in-process and the handlers are pointed at
 * them (ARM, Entra ID, Key Vault, Flink, Genie); AIRLESS_EMULATORS=off uses the endpoints of the
 * environment instead (see src/clients/runtime-config.ts). With the emulators, time is virtual:
 * each poll and retry waits its compiled delay on a virtual clock the emulators follow.
 */
export async function runAwsWithHandlers(plan: PlanIR, options: RealRunOptions): Promise<RunTrace> {
  const print = options.print ?? ((line: string) => console.log(line));
  const env = options.environment ?? (await startHandlerEnvironment(print, options.emulators));
  const { emu, deps } = env;
  try {
    if (emu) await options.onEmulators?.(emu);
    // With the emulators, time is virtual: polls and retries sleep their compiled delays on `clock`,
    // and the emulators' clock follows it, as the Durable host's virtual timers move it.
    const clock = emu ? new VirtualClock() : null;
    let synced = 0;
    const progress = new RunProgress(
      print,
      () => (clock ? clock.now * 1000 : Date.now()),
      emu ? 'emulated' : 'wall-clock',
    );
    const tries = new Map<string, { start: number; end: number }>();
    const byId = new Map(plan.tasks.map((t) => [t.task_id, t]));

    const resource = async (payload: unknown): Promise<unknown> => {
      const call = payload as TaskInvocation;
      const id = call.task.task_id;
      const task = byId.get(id);
      let release = (): void => {};
      if (clock && task) {
        const last = tries.get(id);
        // The n-th try of this run waits the delay after try n-1 (a re-run counts on from try_base).
        const nth = call.try_number - (options.resume?.try_base[id] ?? 0);
        if (call.op === 'submit' && nth > 1 && last)
          await clock.sleepUntil(last.end + retryDelays(task)[nth - 2]!);
        if (call.op === 'submit') tries.set(id, { start: clock.now, end: clock.now });
        if (call.op === 'poll' && task.wait_for !== null) {
          const polls = progress.tasks.get(id)?.polls ?? 0;
          await clock.sleepUntil(pollTime(task, tries.get(id)?.start ?? clock.now, polls));
        }
        if (clock.now > synced) {
          emu!.clock.advance(clock.now - synced);
          synced = clock.now;
        }
        release = clock.hold();
      }
      const ended = (): void => {
        const t = tries.get(id);
        if (t && clock) t.end = clock.now;
      };
      try {
        const result = await progress.call(call, () => handleTask(payload, deps).finally(release));
        if (call.op !== 'submit' || !('job' in result)) ended();
        return result;
      } catch (error) {
        if (!isAirlessError(error, 'StillRunning')) ended();
        throw error;
      }
    };

    const compiled = compileAsl(plan);
    const run = options.run ?? manualRunContext(plan, options.conf, options.now ?? new Date());
    const { resume } = executionInputOf(plan, run, options.resume);
    print(runHeader(run.run_id, plan.dag_id, 'aws (aws-local-stepfunctions)', emu !== undefined));
    const resources = { [TASK_HANDLER]: resource };
    // Against real endpoints every Retry and Wait takes its real time.
    const { result, records } = clock
      ? await runOnClock(compiled, run, resources, clock, options.onEvent, resume)
      : await runCompiledDag(compiled, run, resources, { onEvent: options.onEvent, delays: 'real', resume });
    const tasks: Record<string, TaskTrace> = {};
    for (const { task_id } of plan.tasks) {
      const p = progress.tasks.get(task_id);
      tasks[task_id] = {
        state: records.tasks[task_id] ?? 'upstream_failed',
        try_number: p?.tries ?? options.resume?.prior[task_id]?.try_number ?? 0,
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
    if (options.environment === undefined) await env.close();
  }
}
