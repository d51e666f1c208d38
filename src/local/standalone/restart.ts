import { DescribeExecutionCommand, type SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { onExecutionFinished } from '../../aws/run-finished.ts';
import { drain, type RunDeps } from '../../aws/run-queue.ts';
import { INTERRUPTED_ERROR } from '../../aws/task-instances.ts';
import type { ApiBackend } from '../../runs/api/backend.ts';
import type { LocalSfnService } from '../aws/sfn-service/service.ts';

/**
 * What a start of `airless standalone` on an existing state directory does before it serves, so no
 * run is lost however the last process ended (Ctrl-C or kill -9):
 * - an execution the last process left RUNNING (the SFN service reports it interrupted) is stopped,
 *   and its run is re-run from its recorded outcomes through the clear machinery (a re-run that
 *   clears nothing): tasks that ended keep their outcome and are not run again, a task that was
 *   running runs the SAME try again, whose idempotent submit finds the job it already created;
 * - a run still `running` whose execution had ended before its end was recorded gets that end now;
 * - every DAG's queue is drained, for runs that were queued when the process stopped.
 */
export interface RestartDeps {
  service: LocalSfnService;
  sfn: SFNClient;
  runDeps: RunDeps;
  backend: ApiBackend;
  /** Executions stopped here: their end is no run's failure, so the console does not print one. */
  resuming: Set<string>;
  print: (line: string) => void;
}

interface RunRef {
  dag_id: string;
  run_id: string;
}

/** The run an execution input belongs to; null for a split DAG's child (`run_key`) or a foreign input. */
export function runOfInput(input: string): RunRef | null {
  try {
    const parsed = JSON.parse(input) as { run?: { dag_id?: unknown; run_id?: unknown }; run_key?: unknown };
    const run = parsed.run;
    if (parsed.run_key !== undefined || typeof run?.dag_id !== 'string' || typeof run.run_id !== 'string')
      return null;
    return { dag_id: run.dag_id, run_id: run.run_id };
  } catch {
    return null;
  }
}

export async function recoverRuns(deps: RestartDeps): Promise<void> {
  const interrupted = deps.service.interruptedExecutions();
  // Children first: a parent's re-run starts children of its own.
  const ordered = [...interrupted.filter((e) => e.parent), ...interrupted.filter((e) => !e.parent)];
  const toRerun: RunRef[] = [];
  for (const execution of ordered) {
    const run = execution.parent ? null : runOfInput(execution.input);
    deps.resuming.add(execution.executionArn);
    await deps.sfn.send(
      new StopExecutionCommand({
        executionArn: execution.executionArn,
        error: INTERRUPTED_ERROR,
        cause:
          'airless standalone stopped while the execution ran; the run is resumed from its recorded outcomes',
      }),
    );
    await deps.service.whenEnded(execution.executionArn);
    if (run) toRerun.push(run);
  }
  for (const run of toRerun) {
    const outcome = await deps.backend.rerun(run.dag_id, run.run_id, { cleared: [] });
    deps.print(
      outcome.kind === 'rerun'
        ? `${run.dag_id} ${run.run_id} | resumed after a restart from its recorded outcomes`
        : `${run.dag_id} ${run.run_id} | could not be resumed after a restart: ${JSON.stringify(outcome)}`,
    );
  }

  for (const entry of (await deps.runDeps.bucket.listEntries()).filter((e) => e.active)) {
    for (const run of await deps.runDeps.store.listRuns(entry.dag_id)) {
      if (run.state !== 'running' || run.execution_arn === null) continue;
      const described = await deps.sfn.send(
        new DescribeExecutionCommand({ executionArn: run.execution_arn }),
      );
      if (described.status === 'RUNNING') continue;
      await onExecutionFinished(deps.runDeps, {
        'detail-type': 'Step Functions Execution Status Change',
        detail: {
          executionArn: run.execution_arn,
          status: described.status,
          input: described.input ?? null,
          output: described.output ?? null,
          stopDate: described.stopDate?.getTime() ?? null,
        },
      });
    }
    await drain(deps.runDeps, entry);
  }
}
