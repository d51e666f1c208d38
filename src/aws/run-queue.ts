import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { RunContext } from '../handlers/contract.ts';
import type { DagBucket, RegistryEntry } from './registry/dag-bucket.ts';
import { airflowInstant, attemptName, executionName } from '../runs/run-ids.ts';
import type { ParamError } from '../dag/params.ts';
import { prepareRun } from '../runs/prepare-run.ts';
import type { RunRecord, RunStore } from '../runs/run-store.ts';
import type { TriggerRequest } from '../runs/api/backend.ts';

/**
 * max_active_runs: every run is first stored as queued with a queue entry (one transaction), then
 * the queue is drained: take a slot (conditional counter), pop the oldest entry, start it. A slot
 * is given back when the execution ends, whatever the end (see onExecutionFinished), and the queue
 * is drained again. Nothing is dropped; order is acceptance order.
 */
export interface RunDeps {
  store: RunStore;
  bucket: DagBucket;
  sfn: SFNClient;
  now: () => Date;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/** What a trigger asks for: the API port's request, whichever entry (API, schedule, data) sends it. */
export type { TriggerRequest };

export type TriggerOutcome =
  | { kind: 'created' | 'existing'; run: RunRecord }
  | { kind: 'not_found'; message: string }
  | { kind: 'invalid'; errors: ParamError[] }
  | { kind: 'conflict'; message: string };

/** The execution input: `{ run }`, the run context the compiled workflow reads (see compiler/aws/asl-types.ts). */
export const executionInput = (run: RunRecord): { run: RunContext } => ({
  run: {
    dag_id: run.dag_id,
    run_id: run.run_id,
    logical_date: run.logical_date,
    conf: run.conf as RunContext['conf'],
    params: run.params as RunContext['params'],
  },
});

export async function liveEntry(bucket: DagBucket, dagId: string): Promise<RegistryEntry | null> {
  const entry = await bucket.getEntry(dagId);
  return entry?.active ? entry : null;
}

export async function triggerRun(deps: RunDeps, request: TriggerRequest): Promise<TriggerOutcome> {
  const entry = await liveEntry(deps.bucket, request.dag_id);
  const plan = entry ? await deps.bucket.getPlan(request.dag_id) : null;
  if (!entry || !plan) return { kind: 'not_found', message: `DAG '${request.dag_id}' is not registered` };

  const prepared = prepareRun(plan.params, request, deps.now());
  if (!prepared.ok) return { kind: 'invalid', errors: prepared.errors };
  const { run_id: runId, logical_date: logicalDate, conf, params, request_hash: hash } = prepared.run;
  const { created, run } = await deps.store.createQueuedRun({
    dag_id: request.dag_id,
    run_id: runId,
    run_type: request.run_type,
    logical_date: logicalDate,
    conf,
    params,
    request_hash: hash,
    queued_at: deps.now().toISOString(),
    execution_name: executionName(runId),
    version_arn: entry.version_arn,
    note: request.note ?? null,
    backfill_id: request.backfill_id ?? null,
  });
  if (!created) {
    return run.request_hash === hash
      ? { kind: 'existing', run }
      : {
          kind: 'conflict',
          message: `DAG run '${runId}' of '${request.dag_id}' already exists with another request`,
        };
  }
  await drain(deps, entry);
  return { kind: 'created', run: (await deps.store.getRun(request.dag_id, runId)) ?? run };
}

/**
 * Starts the run's next execution: the first on the version the run was created on; a re-run of
 * cleared tasks (pending_resume) on the same version with `{run, resume}` and a name of its own.
 */
async function start(deps: RunDeps, entry: RegistryEntry, runId: string): Promise<void> {
  const run = await deps.store.getRun(entry.dag_id, runId);
  if (!run) return;
  const attempt = run.executions.length + 1;
  try {
    const out = await deps.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: run.version_arn ?? entry.alias_arn,
        name: attemptName(run.execution_name, attempt),
        input: JSON.stringify(
          run.pending_resume === null
            ? executionInput(run)
            : { ...executionInput(run), resume: run.pending_resume },
        ),
      }),
    );
    await deps.store.markRunning(
      entry.dag_id,
      runId,
      out.executionArn!,
      airflowInstant(out.startDate ?? deps.now()),
    );
  } catch (error) {
    deps.log?.('run failed to start', { dag_id: entry.dag_id, run_id: runId, error: String(error) });
    await deps.store.finish(entry.dag_id, runId, 'failed', airflowInstant(deps.now()), true);
  }
}

/** Starts queued runs, oldest first, while the DAG has free slots. */
export async function drain(deps: RunDeps, entry: RegistryEntry): Promise<void> {
  for (;;) {
    if (!(await deps.store.tryAcquireSlot(entry.dag_id, entry.max_active_runs))) return;
    const runId = await deps.store.dequeueOldest(entry.dag_id);
    if (runId === null) {
      await deps.store.releaseSlot(entry.dag_id);
      // A run queued while we held the slot found no slot free; look once more so it is not stranded.
      if ((await deps.store.queueLength(entry.dag_id)) === 0) return;
      continue;
    }
    await start(deps, entry, runId);
  }
}
