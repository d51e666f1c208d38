import type { PlanIR } from '../../compiler/ir.ts';
import type { RunContext, TaskInvocation } from '../../handlers/contract.ts';
import type { Resume } from '../../runs/resume.ts';
import { handleTask } from '../../handlers/task.ts';
import { startHandlerEnvironment, type HandlerEnvironment } from '../handler-environment.ts';
import { RunProgress, runHeader } from '../progress.ts';
import type { RealRunOptions } from '../aws/run-real-aws.ts';
import { manualRunContext } from '../simulate/run-context.ts';
import type { RunTrace } from '../simulate/trace.ts';
import type { DurableHost } from './host.ts';
import { runDagOnDurable, type DurableRunReport } from './run-dag.ts';
import { traceOf } from './simulate.ts';

/**
 * `airless run --engine azure` with real handlers: the generic orchestrator in the local Durable
 * host, its activities calling `handleTask`. By default the emulators start in-process and the
 * host's clock is virtual: durable timers (poll intervals, retry delays) jump ahead and move the
 * emulators' clock by as much, so jobs progress as they would during the waits. With
 * AIRLESS_EMULATORS=off the handlers use the environment's endpoints and the host the wall clock.
 */
export async function runAzureWithHandlers(plan: PlanIR, options: RealRunOptions): Promise<RunTrace> {
  const print = options.print ?? ((line: string) => console.log(line));
  const env = options.environment ?? (await startHandlerEnvironment(print, options.emulators));
  try {
    if (env.emu) await options.onEmulators?.(env.emu);
    const run = options.run ?? manualRunContext(plan, options.conf, options.now ?? new Date());
    print(runHeader(run.run_id, plan.dag_id, 'azure (local Durable host)', env.emu !== undefined));
    const { report, progress } = await runWithHandlers(plan, run, env, print, options.resume);
    const trace = traceOf(plan, report);
    for (const [id, t] of Object.entries(trace.tasks)) {
      const p = progress.tasks.get(id);
      if (p) Object.assign(t, { start_s: p.start_s, end_s: p.end_s, job_id: p.job_id });
    }
    const makespan_s = Math.max(0, ...Object.values(trace.tasks).map((t) => t.end_s ?? 0));
    return { ...trace, makespan_s, time_base: progress.timeBase };
  } finally {
    if (options.environment === undefined) await env.close();
  }
}

/**
 * One run with the real handler core in a given handler environment; returns the host too, so
 * its histories can be inspected.
 */
export async function runWithHandlers(
  plan: PlanIR,
  run: RunContext,
  env: HandlerEnvironment,
  print: (line: string) => void,
  resume?: Resume,
): Promise<{ report: DurableRunReport; host: DurableHost; progress: RunProgress }> {
  const { emu, deps } = env;
  let host: DurableHost | null = null;
  let synced = 0;
  let progress: RunProgress | null = null;
  const handler = (inv: TaskInvocation): Promise<unknown> => {
    if (emu && host !== null && host.now > synced) {
      emu.clock.advance((host.now - synced) / 1000);
      synced = host.now;
    }
    return progress!.call(inv, () => handleTask(inv, deps));
  };
  const report = await runDagOnDurable(plan, run, {
    simulate: null,
    resume,
    clock: emu ? 'virtual' : 'real',
    handleTask: handler,
    onHost: (h) => {
      host = h;
      synced = h.now;
      progress = emu
        ? new RunProgress(print, () => h.now, 'emulated')
        : new RunProgress(print, () => Date.now(), 'wall-clock');
    },
  });
  return { report, host: host!, progress: progress! };
}
