import type { DagRunType } from './api/backend.ts';

/**
 * Where runs, the per-DAG FIFO queue and the per-DAG active-run counter live. The production
 * implementation is DynamoDB (dynamodb-run-store.ts); every method is one conditional write or
 * one transaction, so concurrent API calls and at-least-once events cannot double-count a slot.
 * Run types are Airflow's, as the API port names them.
 */
export type RunType = DagRunType;
export type StoredRunState = 'queued' | 'running' | 'success' | 'failed';

/** What a run is, fixed at creation. */
export interface RunSpec {
  dag_id: string;
  run_id: string;
  run_type: RunType;
  logical_date: string;
  conf: Record<string, unknown>;
  params: Record<string, unknown>;
  /** sha256 of the trigger request as sent; the same run id with another hash is a conflict. */
  request_hash: string;
  /** ISO time the run was accepted; the queue orders by it. */
  queued_at: string;
  /** Step Functions execution name, derived from the run id so a retried start is idempotent. */
  execution_name: string;
  /** The state machine version the run executes, pinned when it was created (absent on older records: the live alias). */
  version_arn?: string;
  note?: string | null;
  backfill_id?: number | null;
}

export interface RunRecord extends RunSpec {
  state: StoredRunState;
  /** The current execution; null before the first start and while a re-run waits in the queue. */
  execution_arn: string | null;
  /** Every execution of the run, oldest first: the first start, then one per re-run of cleared tasks. */
  executions: string[];
  /** The execution input's `resume` of a re-run waiting in the queue (see requeue). */
  pending_resume: unknown;
  start_date: string | null;
  end_date: string | null;
}

export interface RunStore {
  /** Stores a new queued run and its queue entry in one step, or returns the run already stored under that id. */
  createQueuedRun(spec: RunSpec): Promise<{ created: boolean; run: RunRecord }>;
  getRun(dagId: string, runId: string): Promise<RunRecord | null>;
  /** The DAG's runs, in run id order. */
  listRuns(dagId: string): Promise<RunRecord[]>;
  /** Removes and returns the oldest queued run id of the DAG, or null when the queue is empty. */
  dequeueOldest(dagId: string): Promise<string | null>;
  /** Removes a queued run's queue entry; false when it was already taken. */
  removeFromQueue(run: RunSpec): Promise<boolean>;
  queueLength(dagId: string): Promise<number>;
  /** Counts one more active run unless `max` are already active. */
  tryAcquireSlot(dagId: string, max: number): Promise<boolean>;
  releaseSlot(dagId: string): Promise<void>;
  /**
   * queued -> running, recording the execution (appended to `executions`, the pending resume
   * dropped); false when the run is no longer queued.
   */
  markRunning(dagId: string, runId: string, executionArn: string, startDate: string): Promise<boolean>;
  /**
   * queued|running -> final state and, when `releases` is set, one slot released, atomically;
   * false (and nothing changed) when the run is already final, so duplicate events are harmless.
   * With `executionArn`, only while that execution is the run's current one: the late end event of
   * an earlier attempt does not end a re-run.
   */
  finish(
    dagId: string,
    runId: string,
    state: 'success' | 'failed',
    endDate: string,
    releases: boolean,
    executionArn?: string,
  ): Promise<boolean>;
  /**
   * A finished run whose current execution is `executionArn` goes back to queued with `resume`
   * pending and a queue entry, atomically; false when the run is not finished or has moved on.
   */
  requeue(run: RunRecord, executionArn: string | null, resume: unknown, queuedAt: string): Promise<boolean>;
}
