import type { PlanIR } from '../../compiler/ir.ts';
import type { RunContext } from '../../handlers/contract.ts';
import {
  FN,
  runInstanceId,
  type RunInput,
  type RunResult,
  type SimulateOptions,
} from '../../azure/contract.ts';
import type { DurableDeps } from '../../azure/register.ts';
import type { DurableHost, HostStats } from './host.ts';
import type { Resume } from '../../runs/resume.ts';
import { openLocalDurable, type LocalDurable } from './index.ts';

export interface DurableRunReport {
  result: RunResult;
  instance_id: string;
  /** Seconds from the run's start to the end of the last task that ran. */
  makespan_s: number;
  /** History events written across the run's orchestrations (run, tasks, jobs). */
  history_events: number;
  stats: HostStats;
}

/** Runs one DAG run in a fresh local Durable host and reports its outcome and costs. */
export async function runDagOnDurable(
  plan: PlanIR,
  run: RunContext,
  options: {
    simulate: SimulateOptions | null;
    clock?: 'virtual' | 'real';
    replay?: 'full' | 'incremental';
    /** Called with the host before the run starts (to read its clock, for example). */
    onHost?: (host: DurableHost) => void;
    /** A re-run of a cleared run (src/runs/resume.ts). */
    resume?: Resume;
    /** An open host to run in (kept open): a re-run in the host of the earlier run. */
    local?: LocalDurable;
  } & Partial<DurableDeps>,
): Promise<DurableRunReport> {
  const startMs = Date.parse(run.logical_date);
  const local =
    options.local ??
    (await openLocalDurable({
      clock: options.clock ?? (options.simulate === null ? 'real' : 'virtual'),
      startMs: Number.isNaN(startMs) ? undefined : startMs,
      handleTask: options.handleTask,
      replay: options.replay,
    }));
  const events = local.host.stats.historyEvents;
  try {
    options.onHost?.(local.host);
    const instanceId = runInstanceId(plan.dag_id, run.run_id);
    const input: RunInput = {
      plan,
      run,
      simulate: options.simulate,
      ...(options.resume ? { resume: options.resume } : {}),
    };
    local.host.startNew(FN.run, instanceId, input);
    const status = await local.host.waitFor(instanceId);
    if (status.runtimeStatus !== 'Completed') {
      throw new Error(
        `run orchestration ${instanceId} ended ${status.runtimeStatus}: ${JSON.stringify(status.output)}`,
      );
    }
    const result = status.output as RunResult;
    const ends = Object.values(result.tasks)
      .filter((t) => t.try_number > 0)
      .map((t) => t.end_s);
    return {
      result,
      instance_id: instanceId,
      makespan_s: Math.max(0, ...ends),
      history_events: local.host.stats.historyEvents - events,
      stats: { ...local.host.stats },
    };
  } finally {
    if (options.local === undefined) await local.close();
  }
}
