import * as df from 'durable-functions';
import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';
import type { PlanIR } from '../compiler/ir.ts';
import type { JobRef, TaskInvocation } from '../handlers/contract.ts';
import { prepareRun } from '../handlers/api/prepare-run.ts';
import { airflowInstant } from '../handlers/api/run-ids.ts';
import type { ParamError } from '../dag/params.ts';
import type { RunType } from '../handlers/api/run-store.ts';
import type { DagRunView, TaskInstance } from '../handlers/api/run-status.ts';
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
import type { DurableDeps } from './register.ts';

export interface RunsDeps extends DurableDeps {
  client: DurableClient;
  store: Pick<BlobPlanStore, 'getLive' | 'getPlan' | 'listLive'>;
  now: () => Date;
}

export interface TriggerRequest {
  dag_id: string;
  run_type: RunType;
  dag_run_id?: string | undefined;
  logical_date?: string | undefined;
  conf?: Record<string, unknown> | undefined;
}

export type TriggerOutcome =
  | { kind: 'created' | 'existing'; view: DagRunView }
  | { kind: 'not_found'; message: string }
  | { kind: 'invalid'; errors: ParamError[] }
  | { kind: 'conflict'; message: string };

export type CancelOutcome =
  | { kind: 'cancelled'; view: DagRunView; cancelled_jobs: Array<{ task_id: string; job_name: string }> }
  | { kind: 'not_found' }
  | { kind: 'conflict'; message: string };

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
  const prepared = prepareRun(plan.params, request, deps.now());
  if (!prepared.ok) return { kind: 'invalid', errors: prepared.errors };
  const { run_id: runId, request_hash: hash } = prepared.run;
  const instanceId = runInstanceId(plan.dag_id, runId);
  const known = (status: DurableOrchestrationStatus): TriggerOutcome =>
    (status.input as RunInput).trigger?.request_hash === hash
      ? { kind: 'existing', view: runView(status, plan) }
      : { kind: 'conflict', message: `DAG run '${runId}' of '${plan.dag_id}' exists with another request` };
  const existing = await statusOrNull(deps.client, instanceId);
  if (existing !== null) return known(existing);
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
    trigger: { run_type: request.run_type, queued_at: deps.now().toISOString(), request_hash: hash },
  };
  try {
    await deps.client.startNew(FN.run, { instanceId, input });
  } catch (error) {
    const winner = await statusOrNull(deps.client, instanceId);
    if (winner === null) throw error;
    return known(winner);
  }
  const started = await statusOrNull(deps.client, instanceId);
  return { kind: 'created', view: runView(started!, plan) };
}

/** The run as Airflow shows it, read from the orchestration's status (custom status while running). */
export function runView(
  status: DurableOrchestrationStatus,
  plan: PlanIR = (status.input as RunInput).plan,
): DagRunView & { instance_id: string } {
  const input = status.input as RunInput;
  const progress = status.customStatus as RunProgress | null;
  const states = progressOf(plan, progress?.tasks);
  const result = status.runtimeStatus === 'Completed' ? (status.output as RunResult) : null;
  const ended = ['Completed', 'Failed', 'Terminated'].includes(status.runtimeStatus);
  const state: DagRunView['state'] = result
    ? result.state
    : ended
      ? 'failed'
      : progress?.state === 'running'
        ? 'running'
        : 'queued';
  const at = (base: string, s: number): string => airflowInstant(new Date(Date.parse(base) + s * 1000));
  const tasks: TaskInstance[] = plan.tasks.map((t) => {
    const done = result?.tasks[t.task_id];
    const live = states.get(t.task_id) ?? null;
    const ran = done !== undefined && done.try_number > 0;
    return {
      task_id: t.task_id,
      operator: t.operator,
      state: done?.state ?? live ?? null,
      try_number: done?.try_number ?? 0,
      start_date: ran ? at(result!.started_at, done.start_s) : null,
      end_date: ran ? at(result!.started_at, done.end_s) : null,
    };
  });
  return {
    dag_id: input.run.dag_id,
    dag_run_id: input.run.run_id,
    run_type: input.trigger?.run_type ?? 'manual',
    state,
    logical_date: input.run.logical_date,
    data_interval_start: input.run.logical_date,
    data_interval_end: input.run.logical_date,
    queued_at: airflowInstant(new Date(input.trigger?.queued_at ?? status.createdTime)),
    start_date: result ? airflowInstant(new Date(result.started_at)) : null,
    end_date: result
      ? airflowInstant(new Date(result.ended_at))
      : ended
        ? airflowInstant(status.lastUpdatedTime)
        : null,
    conf: input.run.conf,
    execution_arn: null,
    instance_id: status.instanceId,
    task_instances: tasks,
  };
}

export async function describeDurableRun(
  deps: Pick<RunsDeps, 'client'>,
  dagId: string,
  runId: string,
): Promise<DagRunView | null> {
  const status = await statusOrNull(deps.client, runInstanceId(dagId, runId));
  return status === null ? null : runView(status);
}

/**
 * Cancels a run: terminates its orchestration, the task orchestrations still running and their job
 * orchestrations, cancels (stops) the Flink or Genie jobs they started, and gives the
 * max_active_runs slot back on the run's behalf.
 */
export async function cancelDurableRun(deps: RunsDeps, dagId: string, runId: string): Promise<CancelOutcome> {
  const instanceId = runInstanceId(dagId, runId);
  const status = await statusOrNull(deps.client, instanceId);
  if (status === null) return { kind: 'not_found' };
  if (isEnded(status)) {
    return { kind: 'conflict', message: `DAG run '${runId}' of '${dagId}' has already ended` };
  }
  await deps.client.terminate(instanceId, 'cancelled through the API');
  const progress = status.customStatus as RunProgress | null;
  const cancelled: Array<{ task_id: string; job_name: string }> = [];
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
    await deps.handleTask(invocation);
    cancelled.push({ task_id: taskId, job_name: ref.job_name });
  }
  await deps.client.signalEntity(new df.EntityId(FN.slots, dagId), 'release', { instance: instanceId });
  const after = (await statusOrNull(deps.client, instanceId))!;
  return { kind: 'cancelled', view: runView(after), cancelled_jobs: cancelled };
}
