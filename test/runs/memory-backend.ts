import type { PlanIR } from '../../src/compiler/ir.ts';
import { buildIr } from '../../src/compiler/build-ir.ts';
import { resolveRunParams } from '../../src/dag/params.ts';
import { loadDag } from '../../src/dag/validate.ts';
import { airflowInstant } from '../../src/dag/zoned-time.ts';
import type {
  ApiBackend,
  BackfillRecord,
  CancelOutcome,
  DagEntry,
  DagRunState,
  RerunOutcome,
  RerunRequest,
  RunEntry,
  TaskInstanceRecord,
  TriggerOutcome,
  TriggerRequest,
} from '../../src/runs/api/backend.ts';

/**
 * A test double of the port (ApiBackend), in memory: no queue and no engine, so a run stays in the
 * state the test puts it in (`finish`). It records the calls backfill and catchup make, so the tests
 * can check what reached the host. The hosts' real backends run the shared API suite.
 */
export class MemoryBackend implements ApiBackend {
  readonly dags = new Map<string, DagEntry>();
  readonly runs: RunEntry[] = [];
  private readonly byId = new Map<string, RunEntry>();
  readonly backfills: BackfillRecord[] = [];
  readonly reruns: Array<{ dag_run_id: string; cleared: string[] }> = [];
  readonly cancels: string[] = [];
  readonly triggers: TriggerRequest[] = [];
  clock: Date;

  constructor(now: string) {
    this.clock = new Date(now);
  }

  addDag(yaml: string, paused = false): DagEntry {
    const { dag, diagnostics } = loadDag(yaml, 'dag.yaml');
    if (dag === null) throw new Error(`bad test DAG: ${JSON.stringify(diagnostics)}`);
    const plan: PlanIR = buildIr(dag, yaml);
    const entry: DagEntry = {
      dag_id: plan.dag_id,
      plan,
      is_paused: paused,
      fileloc: `dags/${plan.dag_id}.yaml`,
      version: 1,
      updated_at: airflowInstant(this.clock),
      has_import_errors: false,
    };
    this.dags.set(plan.dag_id, entry);
    return entry;
  }

  /** A run as some earlier tick, trigger or backfill left it. */
  addRun(
    dagId: string,
    runId: string,
    logicalDate: string,
    state: DagRunState,
    extra: Partial<RunEntry> = {},
  ): RunEntry {
    const at = airflowInstant(new Date(logicalDate));
    const run: RunEntry = {
      dag_id: dagId,
      dag_run_id: runId,
      run_type: 'scheduled',
      state,
      logical_date: at,
      data_interval_start: at,
      data_interval_end: at,
      run_after: at,
      queued_at: at,
      start_date: at,
      end_date: state === 'success' || state === 'failed' ? at : null,
      conf: {},
      note: null,
      version: 1,
      backfill_id: null,
      ...extra,
    };
    this.runs.push(run);
    this.byId.set(`${dagId}\u0000${runId}`, run);
    return run;
  }

  finish(runId: string, state: DagRunState): void {
    const run = this.runs.find((r) => r.dag_run_id === runId);
    if (run === undefined) throw new Error(`no run ${runId}`);
    run.state = state;
    run.end_date = airflowInstant(this.clock);
  }

  run(runId: string): RunEntry | undefined {
    return this.runs.find((r) => r.dag_run_id === runId);
  }

  async listDags(): Promise<DagEntry[]> {
    return [...this.dags.values()];
  }
  async getDag(dagId: string): Promise<DagEntry | null> {
    return this.dags.get(dagId) ?? null;
  }
  async setPaused(dagId: string, paused: boolean): Promise<DagEntry | null> {
    const dag = this.dags.get(dagId);
    if (dag === undefined) return null;
    dag.is_paused = paused;
    return dag;
  }
  async importErrors() {
    return [];
  }

  async triggerRun(request: TriggerRequest): Promise<TriggerOutcome> {
    this.triggers.push(request);
    const dag = this.dags.get(request.dag_id);
    if (dag === undefined) return { kind: 'not_found', message: `no DAG ${request.dag_id}` };
    const conf = request.conf ?? {};
    const params = resolveRunParams(dag.plan.params, conf);
    if (!params.ok)
      return { kind: 'invalid', errors: params.errors.map((e) => ({ ...e, field: `conf.${e.field}` })) };
    const logicalDate = airflowInstant(
      request.logical_date === undefined ? this.clock : new Date(request.logical_date),
    );
    const runId = request.dag_run_id ?? `${request.run_type}__${logicalDate}`;
    const existing = this.byId.get(`${request.dag_id}\u0000${runId}`);
    if (existing !== undefined) {
      return JSON.stringify(existing.conf) === JSON.stringify(conf)
        ? { kind: 'existing', run: existing }
        : { kind: 'conflict', message: `run ${runId} exists with another conf` };
    }
    const run = this.addRun(request.dag_id, runId, logicalDate, 'queued', {
      run_type: request.run_type,
      conf,
      queued_at: airflowInstant(this.clock),
      start_date: null,
      run_after: airflowInstant(this.clock),
      backfill_id: request.backfill_id ?? null,
    });
    return { kind: 'created', run };
  }
  async listRuns(dagId: string): Promise<RunEntry[]> {
    return this.runs.filter((r) => r.dag_id === dagId);
  }
  async getRun(dagId: string, runId: string): Promise<RunEntry | null> {
    return this.byId.get(`${dagId}\u0000${runId}`) ?? null;
  }
  async taskInstances(dagId: string, runId: string): Promise<TaskInstanceRecord[] | null> {
    const run = await this.getRun(dagId, runId);
    const dag = this.dags.get(dagId);
    if (run === null || dag === undefined) return null;
    return dag.plan.tasks.map((t) => ({
      task_id: t.task_id,
      state: run.state === 'failed' ? 'failed' : run.state === 'success' ? 'success' : null,
      try_number: 1,
      start_date: null,
      end_date: null,
      tries: [],
      outputs: null,
    }));
  }
  async cancelRun(dagId: string, runId: string): Promise<CancelOutcome> {
    const run = await this.getRun(dagId, runId);
    if (run === null) return { kind: 'not_found' };
    this.cancels.push(runId);
    run.state = 'failed';
    return { kind: 'cancelled', run };
  }
  async rerun(dagId: string, runId: string, request: RerunRequest): Promise<RerunOutcome> {
    const run = await this.getRun(dagId, runId);
    if (run === null) return { kind: 'not_found' };
    this.reruns.push({ dag_run_id: runId, cleared: request.cleared });
    run.state = 'queued';
    run.end_date = null;
    return { kind: 'rerun', run };
  }

  async createBackfill(record: Omit<BackfillRecord, 'id'>): Promise<BackfillRecord> {
    const created = { ...record, id: this.backfills.length + 1 };
    this.backfills.push(created);
    return { ...created };
  }
  async getBackfill(id: number): Promise<BackfillRecord | null> {
    const found = this.backfills.find((b) => b.id === id);
    return found === undefined ? null : { ...found };
  }
  async listBackfills(dagId: string | null): Promise<BackfillRecord[]> {
    return this.backfills.filter((b) => dagId === null || b.dag_id === dagId).map((b) => ({ ...b }));
  }
  async updateBackfill(record: BackfillRecord): Promise<void> {
    const i = this.backfills.findIndex((b) => b.id === record.id);
    if (i < 0) throw new Error(`no backfill ${record.id}`);
    this.backfills[i] = { ...record };
  }

  now(): Date {
    return this.clock;
  }
}
