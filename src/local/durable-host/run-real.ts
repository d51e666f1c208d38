import type { PlanIR } from '../../compiler/ir.ts';
import type { RunContext, SubmitResult, TaskInvocation } from '../../handlers/contract.ts';
import { handleTask } from '../../handlers/task.ts';
import { startHandlerEnvironment, type HandlerEnvironment } from '../handler-environment.ts';
import type { RealRunOptions } from '../run-real-aws.ts';
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
  const env = await startHandlerEnvironment(print);
  try {
    const run = manualRunContext(plan, options.conf, options.now ?? new Date());
    print(`run ${run.run_id} of ${plan.dag_id} (Durable Functions, local host)`);
    const { report } = await runWithHandlers(plan, run, env, print);
    return traceOf(plan, report);
  } finally {
    await env.close();
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
): Promise<{ report: DurableRunReport; host: DurableHost }> {
  const { emu, deps } = env;
  let host: DurableHost | null = null;
  const t0 = Date.parse(run.logical_date);
  let synced = t0;
  const seconds = (): string => (((host?.now ?? t0) - t0) / 1000).toFixed(1).padStart(7);
  const handler = async (inv: TaskInvocation): Promise<unknown> => {
    if (emu && host !== null && host.now > synced) {
      emu.clock.advance((host.now - synced) / 1000);
      synced = host.now;
    }
    const say = (what: string) =>
      print(`[${seconds()} s] ${inv.task.task_id} try ${inv.try_number}: ${what}`);
    try {
      const result = await handleTask(inv, deps);
      if (inv.op === 'submit') say(`submitted ${(result as SubmitResult).job.job_name}`);
      else say(`${inv.op}: ${String((result as { output: { status?: unknown } }).output.status ?? 'done')}`);
      return result;
    } catch (error) {
      say(`${inv.op}: ${(error as Error).name}: ${(error as Error).message}`);
      throw error;
    }
  };
  const report = await runDagOnDurable(plan, run, {
    simulate: null,
    clock: emu ? 'virtual' : 'real',
    handleTask: handler,
    onHost: (h) => {
      host = h;
    },
  });
  return { report, host: host! };
}
