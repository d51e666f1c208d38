import { ExecutionDoesNotExist, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { TaskInvocation } from '../handlers/contract.ts';
import { handlerCalls, readHistory, unfinishedJobs } from './execution-history.ts';
import { airflowInstant } from '../runs/run-ids.ts';
import { drain, type RunDeps } from './run-queue.ts';
import type { RunRecord } from '../runs/run-store.ts';

export interface CancelDeps extends RunDeps {
  /** The task handler's `cancel` op (stop or cancel the Flink/Genie job), called in-process. */
  cancelJob: (invocation: TaskInvocation) => Promise<unknown>;
}

export type CancelOutcome =
  | {
      kind: 'cancelled';
      run: RunRecord;
      jobs: Array<{ task_id: string; job_name: string; error: string | null }>;
    }
  | { kind: 'not_found' }
  | { kind: 'conflict'; message: string };

/**
 * Cancels a run. A queued run leaves the queue and ends failed (no slot was held). A running one is
 * stopped and ends failed, its slot given back and the queue drained (the status-change event that
 * follows finds it finished), then every job it submitted that had not reached its goal is
 * cancelled through the task handler, so no Flink job outlives its run. A finished run is returned
 * as it is.
 */
export async function cancelRun(deps: CancelDeps, dagId: string, runId: string): Promise<CancelOutcome> {
  const run = await deps.store.getRun(dagId, runId);
  if (!run) return { kind: 'not_found' };
  if (run.state === 'success' || run.state === 'failed') return { kind: 'cancelled', run, jobs: [] };
  if (run.state === 'queued' && (await deps.store.removeFromQueue(run))) {
    await deps.store.finish(dagId, runId, 'failed', airflowInstant(deps.now()), false);
    return { kind: 'cancelled', run: (await deps.store.getRun(dagId, runId))!, jobs: [] };
  }
  if (!run.execution_arn) {
    return { kind: 'conflict', message: `DAG run '${runId}' is being started; cancel it again in a moment` };
  }
  try {
    await deps.sfn.send(
      new StopExecutionCommand({
        executionArn: run.execution_arn,
        cause: 'cancelled through the airless API',
      }),
    );
  } catch (error) {
    if (!(error instanceof ExecutionDoesNotExist)) throw error;
  }
  await deps.store.finish(dagId, runId, 'failed', airflowInstant(deps.now()), true, run.execution_arn);
  const jobs = [];
  for (const { submit, job } of unfinishedJobs(
    handlerCalls(await readHistory(deps.sfn, run.execution_arn)),
  )) {
    let failure: string | null = null;
    try {
      await deps.cancelJob({ ...submit, op: 'cancel', job });
    } catch (error) {
      failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    jobs.push({ task_id: submit.task.task_id, job_name: job.job_name, error: failure });
  }
  const entry = await deps.bucket.getEntry(dagId);
  if (entry) await drain(deps, entry);
  return { kind: 'cancelled', run: (await deps.store.getRun(dagId, runId))!, jobs };
}
