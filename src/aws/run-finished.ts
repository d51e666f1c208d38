import { drain, type RunDeps } from './run-queue.ts';
import { airflowInstant } from '../runs/run-ids.ts';
import * as z from '../runs/zod-mini.ts';

/** EventBridge "Step Functions Execution Status Change", the fields used here. */
const StatusChangeSchema = z.object({
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.object({
    executionArn: z.string(),
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']),
    input: z.optional(z.nullable(z.string())),
    output: z.optional(z.nullable(z.string())),
    stopDate: z.optional(z.nullable(z.number())),
  }),
});

const RunInputSchema = z.object({ run: z.object({ dag_id: z.string(), run_id: z.string() }) });

/**
 * Airflow run state of an ended execution: a workflow that ends normally but reports a failed run
 * in its output (`state: "failed"`) is a failed run too.
 */
export function runStateOf(status: string, output: string | null | undefined): 'success' | 'failed' {
  if (status !== 'SUCCEEDED') return 'failed';
  try {
    return (JSON.parse(output ?? '{}') as { state?: unknown }).state === 'failed' ? 'failed' : 'success';
  } catch {
    return 'success';
  }
}

/**
 * An execution ended (succeeded, failed, timed out or was stopped): record the run's end, give its
 * slot back, start what is queued. Idempotent: EventBridge delivers at least once, and only the
 * first delivery finds the run unfinished.
 */
export async function onExecutionFinished(
  deps: RunDeps,
  event: unknown,
  /** What else a run's end moves on (the DAG's open backfills), after its queue is drained. */
  afterEnd?: (dagId: string) => Promise<unknown>,
): Promise<'finished' | 'ignored'> {
  const parsed = StatusChangeSchema.safeParse(event);
  if (!parsed.success) throw new Error(`not a Step Functions status change event: ${parsed.error.message}`);
  const { detail } = parsed.data;
  if (detail.status === 'RUNNING' || detail.status === 'PENDING_REDRIVE') return 'ignored';
  let input: unknown;
  try {
    input = JSON.parse(detail.input ?? '');
  } catch {
    return 'ignored';
  }
  const run = RunInputSchema.safeParse(input);
  if (!run.success) return 'ignored'; // not started by airless (for example a console test run)
  // A split DAG's child execution gets {run, run_key} from its parent: the run ends with the parent.
  if (typeof input === 'object' && input !== null && 'run_key' in input) return 'ignored';
  const endDate = airflowInstant(detail.stopDate ? new Date(detail.stopDate) : deps.now());
  const { dag_id: dagId, run_id: runId } = run.data.run;
  const finished = await deps.store.finish(
    dagId,
    runId,
    runStateOf(detail.status, detail.output),
    endDate,
    true,
    detail.executionArn,
  );
  const entry = await deps.bucket.getEntry(dagId);
  if (entry) await drain(deps, entry);
  if (finished) await afterEnd?.(dagId);
  return finished ? 'finished' : 'ignored';
}
