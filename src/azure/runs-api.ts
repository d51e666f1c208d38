import * as df from 'durable-functions';
import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';
import type { JobRef, TaskInvocation } from '../handlers/contract.ts';
import { prepareRun } from '../runs/prepare-run.ts';
import type { RunType } from '../runs/run-store.ts';
import type { CancelOutcome, RunEntry, TriggerOutcome, TriggerRequest } from '../runs/api/backend.ts';
import type { RunIndex } from './run-index.ts';
import {
  FN,
  jobInstanceId,
  progressOf,
  runInstanceId,
  taskInstanceId,
  type JobInput,
  type RunInput,
  type RunProgress,
  type RunResult,
} from './contract.ts';
import { isEnded, statusOrNull } from './client-status.ts';
import type { BlobPlanStore } from './plan-store.ts';
import { callHandler, type DurableDeps } from './register.ts';

export interface RunsDeps extends DurableDeps {
  client: DurableClient;
  store: Pick<BlobPlanStore, 'getLive' | 'getPlan' | 'listLive'>;
  runs: RunIndex;
  now: () => Date;
}

export type { TriggerOutcome, TriggerRequest };

/**
 * Starts a run of the live plan (pinned into the run's input): conf checked against params,
 * instance id from dag_id and run id, so the same request again finds the same run and a different
 * request under a used run id is a conflict. Concurrent identical requests race to startNew; the
 * losers find the winner's instance and answer as a repeat would.
 */
export async function triggerDurableRun(deps: RunsDeps, request: TriggerRequest): Promise<TriggerOutcome> {
  const live = await deps.store.getLive(request.dag_id);
  if (live === null) return { kind: 'not_found', message: `DAG '${request.dag_id}' is not registered` };
  const plan = await deps.store.getPlan(live);
  const prepared = prepareRun(plan.params, { ...request, run_type: request.run_type as RunType }, deps.now());
  if (!prepared.ok) return { kind: 'invalid', errors: prepared.errors };
  const { run_id: runId, request_hash: hash } = prepared.run;
  const instanceId = runInstanceId(plan.dag_id, runId);
  const known = (status: DurableOrchestrationStatus): TriggerOutcome =>
    (status.input as RunInput).trigger?.request_hash === hash
      ? { kind: 'existing', run: runEntry(status) }
      : { kind: 'conflict', message: `DAG run '${runId}' of '${plan.dag_id}' exists with another request` };
  const existing = await statusOrNull(deps.client, instanceId);
  if (existing !== null) return known(await latestStatus(deps, plan.dag_id, runId, existing));
  await deps.runs.record(plan.dag_id, runId);
  const input: RunInput = {
    plan,
    run: {
      dag_id: plan.dag_id,
      run_id: runId,
      logical_date: prepared.run.logical_date,
      conf: prepared.run.conf as never,
      params: prepared.run.params as never,
    },
    simulate: null,
    trigger: {
      run_type: request.run_type,
      queued_at: deps.now().toISOString(),
      request_hash: hash,
      version: live.version ?? 1,
      note: request.note ?? null,
      backfill_id: request.backfill_id ?? null,
      attempt: 1,
    },
  };
  try {
    await deps.client.startNew(FN.run, { instanceId, input });
  } catch (error) {
    const winner = await statusOrNull(deps.client, instanceId);
    if (winner === null) throw error;
    return known(winner);
  }
  const started = await statusOrNull(deps.client, instanceId);
  return { kind: 'created', run: runEntry(started!) };
}

/** The status of the run's latest attempt (`first` is its first attempt's, already read). */
async function latestStatus(
  deps: Pick<RunsDeps, 'client' | 'runs'>,
  dagId: string,
  runId: string,
  first: DurableOrchestrationStatus,
): Promise<DurableOrchestrationStatus> {
  const latest = await deps.runs.latestInstance(dagId, runId);
  if (latest === first.instanceId) return first;
  return (await statusOrNull(deps.client, latest)) ?? first;
}

/** What each task of an ended orchestration without a result became (Airflow's set-to-failed). */
const ENDED_TASK_STATES = { running: 'failed', undecided: 'skipped' } as const;

/** The run's state from an attempt's orchestration status. */
export function runStateOf(status: DurableOrchestrationStatus): RunEntry['state'] {
  if (status.runtimeStatus === 'Completed') return (status.output as RunResult).state;
  if (isEnded(status)) return 'failed';
  return (status.customStatus as RunProgress | null)?.state === 'running' ? 'running' : 'queued';
}

/** Each task's state in an attempt: its recorded final state, its progress, or what cancelling made it. */
export function taskStatesOf(
  status: DurableOrchestrationStatus,
): Map<string, RunEntry['state'] | string | null> {
  const input = status.input as RunInput;
  const result = status.runtimeStatus === 'Completed' ? (status.output as RunResult) : null;
  const live = progressOf(input.plan, (status.customStatus as RunProgress | null)?.tasks);
  const ended = isEnded(status) && result === null;
  return new Map(
    input.plan.tasks.map((t) => {
      const done = result?.tasks[t.task_id]?.state;
      if (done !== undefined) return [t.task_id, done];
      const now = live.get(t.task_id) ?? null;
      if (!ended) return [t.task_id, now];
      return [
        t.task_id,
        now === null ? ENDED_TASK_STATES.undecided : now === 'running' ? ENDED_TASK_STATES.running : now,
      ];
    }),
  );
}

/** The run as the API port records it, from its latest attempt's orchestration status. */
export function runEntry(status: DurableOrchestrationStatus): RunEntry {
  const input = status.input as RunInput;
  const trigger = input.trigger;
  const result = status.runtimeStatus === 'Completed' ? (status.output as RunResult) : null;
  const progress = status.customStatus as RunProgress | null;
  const queuedAt = trigger?.queued_at ?? status.createdTime.toISOString();
  return {
    dag_id: input.run.dag_id,
    dag_run_id: input.run.run_id,
    run_type: trigger?.run_type ?? 'manual',
    state: runStateOf(status),
    logical_date: input.run.logical_date,
    data_interval_start: input.run.logical_date,
    data_interval_end: input.run.logical_date,
    run_after: input.run.logical_date,
    queued_at: queuedAt,
    start_date: result?.started_at ?? progress?.started_at ?? null,
    end_date: result
      ? result.ended_at
      : isEnded(status)
        ? new Date(status.lastUpdatedTime).toISOString()
        : null,
    conf: input.run.conf,
    note: trigger?.note ?? null,
    version: trigger?.version ?? 1,
    backfill_id: trigger?.backfill_id ?? null,
  };
}

/** The latest attempt's status of a run, or null when there is no such run. */
export async function runStatus(
  deps: Pick<RunsDeps, 'client' | 'runs'>,
  dagId: string,
  runId: string,
): Promise<DurableOrchestrationStatus | null> {
  const first = await statusOrNull(deps.client, runInstanceId(dagId, runId));
  return first === null ? null : latestStatus(deps, dagId, runId, first);
}

/**
 * Cancels a run: terminates its orchestration, the task orchestrations still running and their job
 * orchestrations, cancels (stops) the Flink or Genie jobs they started, and gives the
 * max_active_runs slot back on the run's behalf.
 */
export async function cancelDurableRun(deps: RunsDeps, dagId: string, runId: string): Promise<CancelOutcome> {
  const status = await runStatus(deps, dagId, runId);
  if (status === null) return { kind: 'not_found' };
  const instanceId = status.instanceId;
  if (isEnded(status)) {
    return { kind: 'conflict', message: `DAG run '${runId}' of '${dagId}' has already ended` };
  }
  await deps.client.terminate(instanceId, 'cancelled through the API');
  const progress = status.customStatus as RunProgress | null;
  for (const [taskId, state] of progressOf((status.input as RunInput).plan, progress?.tasks)) {
    if (state !== 'running') continue;
    const taskId_ = taskInstanceId(instanceId, taskId);
    const task = await statusOrNull(deps.client, taskId_);
    if (task === null || task.runtimeStatus !== 'Running') continue;
    await deps.client.terminate(taskId_, 'run cancelled');
    const tryNumber = (task.customStatus as { try_number?: number } | null)?.try_number ?? 1;
    const job = await statusOrNull(deps.client, jobInstanceId(taskId_, tryNumber));
    if (job === null || job.runtimeStatus !== 'Running') continue;
    await deps.client.terminate(job.instanceId, 'run cancelled');
    const ref = (job.customStatus as { job?: JobRef } | null)?.job;
    if (ref === undefined) continue;
    const invocation: TaskInvocation = { ...(job.input as JobInput).invocation, op: 'cancel', job: ref };
    const stopped = await callHandler(deps, invocation);
    if (!stopped.ok)
      throw new Error(`cancelling job ${ref.job_name}: ${stopped.error.name}: ${stopped.error.message}`);
  }
  await deps.client.signalEntity(new df.EntityId(FN.slots, dagId), 'release', { instance: instanceId });
  const after = (await statusOrNull(deps.client, instanceId))!;
  return { kind: 'cancelled', run: runEntry(after) };
}
