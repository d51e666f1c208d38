import type { PlanIR } from '../../compiler/ir.ts';
import type { ParamError } from '../../dag/params.ts';

/**
 * The port every host of the Airflow REST API v2 implements: AWS (DynamoDB run store, S3 registry,
 * Step Functions), Azure (Durable client, blob registry) and `airless standalone`. The router
 * (router.ts) turns these records into Airflow's response shapes (airflow-shapes.ts); a host
 * stores and runs, it never formats. Every method is safe to call concurrently.
 */

/** Airflow's DagRunType values airless creates. */
export type DagRunType = 'manual' | 'scheduled' | 'backfill' | 'asset_triggered';
export type DagRunState = 'queued' | 'running' | 'success' | 'failed';
/** Airflow's TaskInstanceState values airless reports; null is "no status" (not yet scheduled). */
export type TaskInstanceState =
  | 'scheduled'
  | 'queued'
  | 'running'
  | 'success'
  | 'failed'
  | 'up_for_retry'
  | 'upstream_failed'
  | 'skipped'
  | null;

/** A registered DAG: its live version's plan and how it is kept. */
export interface DagEntry {
  dag_id: string;
  plan: PlanIR;
  is_paused: boolean;
  /** Where the live version's source was uploaded (S3 key, blob name, file path). */
  fileloc: string;
  /** The live version: 1, 2, ... in registration order. */
  version: number;
  /** ISO instant the live version was registered. */
  updated_at: string;
  /** The last upload of this DAG was refused (see ImportErrorEntry); the live version stays. */
  has_import_errors: boolean;
}

/** A refused upload: the file and its diagnostics as `file:line:col: message` lines. */
export interface ImportErrorEntry {
  /** Stable per file: the same file refused again keeps its id. */
  id: number;
  filename: string;
  /** ISO instant of the refused upload. */
  timestamp: string;
  /** The diagnostics, one `file:line:col: message` per line. */
  stack_trace: string;
}

/** One try of one task in a run. */
export interface TaskTry {
  try_number: number;
  state: TaskInstanceState;
  start_date: string | null;
  end_date: string | null;
  /** The job the try submitted, and a link to the job's own UI (Flink dashboard, Genie job, ARM resource). */
  job_id: string | null;
  job_url: string | null;
  /** What the handler logged for this try, oldest first. */
  log: Array<{ timestamp: string; event: string; level: 'info' | 'warning' | 'error' }>;
}

/** A task's instance in one run: its current state and every try so far (oldest first). */
export interface TaskInstanceRecord {
  task_id: string;
  state: TaskInstanceState;
  /** The current try; 0 before the first. */
  try_number: number;
  start_date: string | null;
  end_date: string | null;
  tries: TaskTry[];
  /** The outputs the task recorded when it succeeded (job ids, savepoint paths): what a re-run keeps. */
  outputs: Record<string, unknown> | null;
}

export interface RunEntry {
  dag_id: string;
  dag_run_id: string;
  run_type: DagRunType;
  state: DagRunState;
  logical_date: string | null;
  data_interval_start: string | null;
  data_interval_end: string | null;
  run_after: string;
  queued_at: string | null;
  start_date: string | null;
  end_date: string | null;
  conf: Record<string, unknown>;
  note: string | null;
  /** The DAG version the run executes (pinned when it was created). */
  version: number;
  /** The backfill that created the run, or null. */
  backfill_id: number | null;
}

export interface TriggerRequest {
  dag_id: string;
  run_type: DagRunType;
  dag_run_id?: string | undefined;
  logical_date?: string | undefined;
  conf?: Record<string, unknown> | undefined;
  note?: string | undefined;
  backfill_id?: number | undefined;
}

export type TriggerOutcome =
  | { kind: 'created' | 'existing'; run: RunEntry }
  | { kind: 'not_found'; message: string }
  | { kind: 'invalid'; errors: ParamError[] }
  | { kind: 'conflict'; message: string };

export type CancelOutcome =
  { kind: 'cancelled'; run: RunEntry } | { kind: 'not_found' } | { kind: 'conflict'; message: string };

/**
 * What a re-run of a cleared run starts from: the tasks not cleared keep their recorded outcome and
 * outputs (their jobs are not resubmitted); a cleared task's next try is `try_base + 1`.
 */
export interface RerunRequest {
  cleared: string[];
}

export type RerunOutcome =
  | { kind: 'rerun'; run: RunEntry }
  | { kind: 'not_found' }
  /** The run has not finished (or changed while it was being cleared). */
  | { kind: 'conflict'; message: string };

export interface BackfillRecord {
  id: number;
  dag_id: string;
  from_date: string;
  to_date: string;
  run_backwards: boolean;
  dag_run_conf: Record<string, unknown>;
  reprocess_behavior: 'failed' | 'completed' | 'none';
  max_active_runs: number;
  is_paused: boolean;
  created_at: string;
  completed_at: string | null;
  updated_at: string;
  /**
   * airless bookkeeping, not part of Airflow's response: the logical date of the last interval the
   * backfill has decided (started a run for, re-ran or skipped), in its order; null before the
   * first. Runs are started lazily (src/runs/backfill.ts), so this is how far it has got.
   */
  decided_through: string | null;
}

export interface ApiBackend {
  listDags(): Promise<DagEntry[]>;
  getDag(dagId: string): Promise<DagEntry | null>;
  /** Pauses or unpauses a registered DAG (a paused DAG starts no run from a schedule or a data trigger). */
  setPaused(dagId: string, paused: boolean): Promise<DagEntry | null>;
  importErrors(): Promise<ImportErrorEntry[]>;

  triggerRun(request: TriggerRequest): Promise<TriggerOutcome>;
  listRuns(dagId: string): Promise<RunEntry[]>;
  getRun(dagId: string, runId: string): Promise<RunEntry | null>;
  /** The run's task instances, one per task of the run's version; null when the run does not exist. */
  taskInstances(dagId: string, runId: string): Promise<TaskInstanceRecord[] | null>;
  /** Marks the run failed: stops its execution and the jobs it started. */
  cancelRun(dagId: string, runId: string): Promise<CancelOutcome>;
  /** Runs the cleared tasks again in the same run (see RerunRequest). */
  rerun(dagId: string, runId: string, request: RerunRequest): Promise<RerunOutcome>;

  /** Backfill records; `createBackfill` assigns the id. */
  createBackfill(record: Omit<BackfillRecord, 'id'>): Promise<BackfillRecord>;
  getBackfill(id: number): Promise<BackfillRecord | null>;
  listBackfills(dagId: string | null): Promise<BackfillRecord[]>;
  updateBackfill(record: BackfillRecord): Promise<void>;

  now(): Date;
}
