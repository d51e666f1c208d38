import { createHash } from 'node:crypto';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { DescribeExecutionCommand, ExecutionDoesNotExist } from '@aws-sdk/client-sfn';
import type { PlanIR } from '../compiler/ir.ts';
import { DAG_ID_PATTERN } from '../dag/schema.ts';
import { type CancelDeps, cancelRun } from './cancel-run.ts';
import { readHistory } from './execution-history.ts';
import { runStateOf } from './run-finished.ts';
import { airflowInstant } from '../runs/run-ids.ts';
import { drain, executionInput, liveEntry, triggerRun } from './run-queue.ts';
import type { RunRecord } from '../runs/run-store.ts';
import { bucketKeys, type RegistryEntry } from './registry/dag-bucket.ts';
import { versionNumber } from './registry/register-dag.ts';
import { type SchedulerTarget, setSchedulesState } from './registry/schedule-sync.ts';
import type {
  ApiBackend,
  BackfillRecord,
  CancelOutcome,
  DagEntry,
  ImportErrorEntry,
  RerunOutcome,
  RerunRequest,
  RunEntry,
  TaskInstanceRecord,
  TriggerOutcome,
  TriggerRequest,
} from '../runs/api/backend.ts';
import { resumeFrom } from '../runs/resume.ts';
import type { DynamoDbBackfillStore } from './dynamodb-backfill-store.ts';
import { executionInputOf } from './execution-input.ts';
import { type ExecutionRead, taskInstances } from './task-instances.ts';

export interface AwsApiDeps extends CancelDeps {
  backfills: DynamoDbBackfillStore;
  scheduler: SchedulerClient;
  schedulerTarget: SchedulerTarget;
}

/** errors/<dag_id>.json as register-dag writes it. */
interface StoredRejection {
  dag_id: string;
  source_key: string;
  rejected_at: string;
  errors: string[];
}

/** Stable per file: a number from the file's key. */
const importErrorId = (file: string): number =>
  Number.parseInt(createHash('sha256').update(file).digest('hex').slice(0, 8), 16) & 0x7fffffff;

const instant = (iso: string | null): string | null => (iso === null ? null : airflowInstant(new Date(iso)));

/**
 * The Airflow REST API v2 port on AWS: the registry in the DAG bucket (S3), runs, the max_active_runs
 * queue and backfills in the runs table (DynamoDB), runs as Step Functions executions whose
 * histories hold every task try; schedules in EventBridge Scheduler.
 */
export class AwsApiBackend implements ApiBackend {
  constructor(private readonly deps: AwsApiDeps) {}

  now(): Date {
    return this.deps.now();
  }

  private async dagEntry(entry: RegistryEntry): Promise<DagEntry | null> {
    const [plan, rejection] = await Promise.all([
      this.deps.bucket.getPlan(entry.dag_id),
      this.deps.bucket.getText(bucketKeys.errors(entry.dag_id)),
    ]);
    if (!plan) return null;
    return {
      dag_id: entry.dag_id,
      plan,
      is_paused: entry.is_paused === true,
      fileloc: entry.source_key,
      version: versionNumber(entry.version_arn),
      updated_at: instant(entry.updated_at)!,
      has_import_errors: rejection !== null,
    };
  }

  /** The registered entry; a dag_id no DAG file can declare never reaches a storage key. */
  private async entry(dagId: string): Promise<RegistryEntry | null> {
    return DAG_ID_PATTERN.test(dagId) ? liveEntry(this.deps.bucket, dagId) : null;
  }

  async listDags(): Promise<DagEntry[]> {
    const entries = (await this.deps.bucket.listEntries()).filter((e) => e.active);
    const dags = await Promise.all(entries.map((e) => this.dagEntry(e)));
    return dags.filter((d): d is DagEntry => d !== null);
  }

  async getDag(dagId: string): Promise<DagEntry | null> {
    const entry = await this.entry(dagId);
    return entry ? this.dagEntry(entry) : null;
  }

  async setPaused(dagId: string, paused: boolean): Promise<DagEntry | null> {
    const entry = await this.entry(dagId);
    if (!entry) return null;
    const { scheduler, schedulerTarget } = this.deps;
    await setSchedulesState(
      scheduler,
      dagId,
      entry.schedules,
      schedulerTarget,
      paused ? 'DISABLED' : 'ENABLED',
    );
    const updated: RegistryEntry = { ...entry, is_paused: paused };
    await this.deps.bucket.putJson(bucketKeys.entry(dagId), updated);
    return this.dagEntry(updated);
  }

  async importErrors(): Promise<ImportErrorEntry[]> {
    const keys = await this.deps.bucket.listJsonKeys('errors/');
    const stored = await Promise.all(keys.map((k) => this.deps.bucket.getJson<StoredRejection>(k)));
    return stored
      .filter((r): r is StoredRejection => r !== null)
      .map((r) => ({
        id: importErrorId(r.source_key),
        filename: r.source_key,
        timestamp: instant(r.rejected_at)!,
        stack_trace: r.errors.join('\n'),
      }))
      .sort((a, b) => a.id - b.id);
  }

  /** The run's version (pinned at creation), or the live one for records from before pinning. */
  private async runVersion(run: RunRecord): Promise<number> {
    if (run.version_arn) return versionNumber(run.version_arn);
    const entry = await this.deps.bucket.getEntry(run.dag_id);
    return entry ? versionNumber(entry.version_arn) : 0;
  }

  private async runEntry(run: RunRecord): Promise<RunEntry> {
    let { state, end_date: endDate } = run;
    // The status-change event may not have been handled yet: an ended execution is the truth.
    if (state === 'running' && run.execution_arn) {
      const execution = await this.deps.sfn.send(
        new DescribeExecutionCommand({ executionArn: run.execution_arn }),
      );
      if (execution.status !== 'RUNNING' && execution.status !== 'PENDING_REDRIVE') {
        state = runStateOf(execution.status!, execution.output);
        endDate = execution.stopDate ? airflowInstant(execution.stopDate) : endDate;
      }
    }
    const scheduledAt = run.run_type === 'scheduled' || run.run_type === 'backfill';
    return {
      dag_id: run.dag_id,
      dag_run_id: run.run_id,
      run_type: run.run_type,
      state,
      logical_date: run.logical_date,
      data_interval_start: run.logical_date,
      data_interval_end: run.logical_date,
      run_after: scheduledAt ? run.logical_date : instant(run.queued_at)!,
      queued_at: instant(run.queued_at),
      start_date: run.start_date,
      end_date: state === 'success' || state === 'failed' ? endDate : null,
      conf: run.conf,
      note: run.note ?? null,
      version: await this.runVersion(run),
      backfill_id: run.backfill_id ?? null,
    };
  }

  async triggerRun(request: TriggerRequest): Promise<TriggerOutcome> {
    if (!DAG_ID_PATTERN.test(request.dag_id))
      return { kind: 'not_found', message: `DAG '${request.dag_id}' not found` };
    const outcome = await triggerRun(this.deps, request);
    if ('run' in outcome) return { kind: outcome.kind, run: await this.runEntry(outcome.run) };
    return outcome;
  }

  private async run(dagId: string, runId: string): Promise<RunRecord | null> {
    return DAG_ID_PATTERN.test(dagId) ? this.deps.store.getRun(dagId, runId) : null;
  }

  async listRuns(dagId: string): Promise<RunEntry[]> {
    if (!DAG_ID_PATTERN.test(dagId)) return [];
    return Promise.all((await this.deps.store.listRuns(dagId)).map((r) => this.runEntry(r)));
  }

  async getRun(dagId: string, runId: string): Promise<RunEntry | null> {
    const run = await this.run(dagId, runId);
    return run ? this.runEntry(run) : null;
  }

  /** The plan of the version the run executes. */
  private async runPlan(run: RunRecord): Promise<PlanIR | null> {
    const version = await this.runVersion(run);
    return (
      (await this.deps.bucket.getJson<PlanIR>(bucketKeys.versionPlan(run.dag_id, version))) ??
      (await this.deps.bucket.getPlan(run.dag_id))
    );
  }

  private async executionRead(executionArn: string): Promise<ExecutionRead> {
    try {
      const execution = await this.deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
      const ended = execution.status !== 'RUNNING' && execution.status !== 'PENDING_REDRIVE';
      return { events: await readHistory(this.deps.sfn, executionArn), ended };
    } catch (error) {
      // Step Functions keeps an ended execution's history for 90 days.
      if (error instanceof ExecutionDoesNotExist) return { events: [], ended: true };
      throw error;
    }
  }

  private async instances(run: RunRecord): Promise<TaskInstanceRecord[] | null> {
    const plan = await this.runPlan(run);
    if (!plan) return null;
    const executions = await Promise.all(run.executions.map((arn) => this.executionRead(arn)));
    return taskInstances(plan, executions);
  }

  async taskInstances(dagId: string, runId: string): Promise<TaskInstanceRecord[] | null> {
    const run = await this.run(dagId, runId);
    return run ? this.instances(run) : null;
  }

  async cancelRun(dagId: string, runId: string): Promise<CancelOutcome> {
    if (!(await this.entry(dagId))) return { kind: 'not_found' };
    const outcome = await cancelRun(this.deps, dagId, runId);
    if (outcome.kind !== 'cancelled') return outcome;
    return { kind: 'cancelled', run: await this.runEntry(outcome.run) };
  }

  async rerun(dagId: string, runId: string, request: RerunRequest): Promise<RerunOutcome> {
    const entry = await this.entry(dagId);
    const run = entry ? await this.deps.store.getRun(dagId, runId) : null;
    if (!entry || !run) return { kind: 'not_found' };
    if (run.state === 'queued' || run.state === 'running')
      return { kind: 'conflict', message: `DAG run '${runId}' of '${dagId}' has not finished` };
    const plan = await this.runPlan(run);
    const tis = await this.instances(run);
    if (!plan || !tis) return { kind: 'not_found' };
    // A run that never started (cancelled while queued) starts afresh.
    const resume =
      run.executions.length === 0
        ? null
        : executionInputOf(plan, executionInput(run).run, resumeFrom(plan, tis, new Set(request.cleared)))
            .resume;
    const requeued = await this.deps.store.requeue(
      run,
      run.execution_arn,
      resume,
      this.deps.now().toISOString(),
    );
    if (!requeued)
      return { kind: 'conflict', message: `DAG run '${runId}' of '${dagId}' changed meanwhile; try again` };
    await drain(this.deps, entry);
    return { kind: 'rerun', run: await this.runEntry((await this.deps.store.getRun(dagId, runId))!) };
  }

  createBackfill(record: Omit<BackfillRecord, 'id'>): Promise<BackfillRecord> {
    return this.deps.backfills.create(record);
  }

  getBackfill(id: number): Promise<BackfillRecord | null> {
    return this.deps.backfills.get(id);
  }

  listBackfills(dagId: string | null): Promise<BackfillRecord[]> {
    return this.deps.backfills.list(dagId);
  }

  async updateBackfill(record: BackfillRecord): Promise<void> {
    if (!(await this.deps.backfills.update(record))) throw new Error(`backfill ${record.id} does not exist`);
  }
}
