import { buildIr } from '../../src/compiler/build-ir.ts';
import type { FinalTaskState, PlanIR, TaskIR } from '../../src/compiler/ir.ts';
import { resolveRunParams } from '../../src/dag/params.ts';
import { loadDag } from '../../src/dag/validate.ts';
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
  TaskInstanceState,
  TriggerOutcome,
  TriggerRequest,
} from '../../src/runs/api/backend.ts';
import { countState, decide, emptyCounts } from '../../src/semantics/trigger-rules.ts';

/**
 * A TEST DOUBLE of the API port (src/runs/api/backend.ts), for the UI's browser tests until they run
 * against `airless standalone`: DAGs kept in memory, runs "executed" by a timer that starts each task
 * when Airflow's trigger rule says so (src/semantics/trigger-rules.ts) and ends it after `taskMs`.
 * Nothing is submitted anywhere; each try gets a made-up job id and a job URL on 127.0.0.1. A task
 * named in the run's `conf.fail_once` fails its first try only, so a clear makes it succeed;
 * `conf.task_ms` sets how long each of the run's tasks takes.
 */
export interface DoubleOptions {
  taskMs?: number;
  tickMs?: number;
}

interface Live {
  run: RunEntry;
  tis: Map<string, TaskInstanceRecord>;
  /** When each running task ends (ms since epoch). */
  endsAt: Map<string, number>;
}

const FINAL = new Set<TaskInstanceState>(['success', 'failed', 'skipped', 'upstream_failed']);

export function planOf(yaml: string, file = 'dag.yaml'): PlanIR {
  const { dag, diagnostics } = loadDag(yaml, file);
  if (!dag || diagnostics.length > 0) throw new Error(`test DAG invalid: ${JSON.stringify(diagnostics)}`);
  return buildIr(dag, yaml);
}

export class BackendDouble implements ApiBackend {
  private readonly dags = new Map<string, DagEntry>();
  private readonly runs = new Map<string, Live[]>();
  private readonly backfills: BackfillRecord[] = [];
  readonly errors: ImportErrorEntry[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly taskMs: number;
  private jobs = 0;

  constructor(options: DoubleOptions = {}) {
    this.taskMs = options.taskMs ?? 300;
    this.timer = setInterval(() => this.step(), options.tickMs ?? 50);
  }

  close(): void {
    clearInterval(this.timer);
  }

  addDag(plan: PlanIR, fileloc = `dags/${plan.dag_id}.yaml`): void {
    const old = this.dags.get(plan.dag_id);
    this.dags.set(plan.dag_id, {
      dag_id: plan.dag_id,
      plan,
      is_paused: old?.is_paused ?? false,
      fileloc,
      version: (old?.version ?? 0) + 1,
      updated_at: new Date().toISOString(),
      has_import_errors: false,
    });
    this.runs.set(plan.dag_id, this.runs.get(plan.dag_id) ?? []);
  }

  /** Finished runs made up at once (for the grid bench): task i of run r fails when (r + i) % 37 === 0. */
  seedFinishedRuns(dagId: string, count: number): void {
    const dag = this.dags.get(dagId)!;
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    for (let r = 0; r < count; r++) {
      const at = (ms: number): string => new Date(t0 + r * 3_600_000 + ms).toISOString();
      const tis = new Map<string, TaskInstanceRecord>();
      let failed = false;
      dag.plan.tasks.forEach((task, i) => {
        const state: TaskInstanceState = (r + i) % 37 === 0 ? 'failed' : i % 11 === 5 ? 'skipped' : 'success';
        failed ||= state === 'failed';
        const start = at(i * 1000);
        const end = at(i * 1000 + 900);
        tis.set(task.task_id, {
          task_id: task.task_id,
          state,
          try_number: 1,
          start_date: start,
          end_date: end,
          outputs: null,
          tries: [
            { try_number: 1, state, start_date: start, end_date: end, job_id: null, job_url: null, log: [] },
          ],
        });
      });
      const run = this.newRun(dag, { dag_id: dagId, run_type: 'scheduled', logical_date: at(0) }, {});
      Object.assign(run, { state: failed ? 'failed' : 'success', start_date: at(0), end_date: at(200_000) });
      this.runs.get(dagId)!.push({ run, tis, endsAt: new Map() });
    }
  }

  async listDags(): Promise<DagEntry[]> {
    return [...this.dags.values()];
  }

  async getDag(dagId: string): Promise<DagEntry | null> {
    return this.dags.get(dagId) ?? null;
  }

  async setPaused(dagId: string, paused: boolean): Promise<DagEntry | null> {
    const dag = this.dags.get(dagId);
    if (!dag) return null;
    dag.is_paused = paused;
    return dag;
  }

  async importErrors(): Promise<ImportErrorEntry[]> {
    return [...this.errors];
  }

  private newRun(dag: DagEntry, request: TriggerRequest, conf: Record<string, unknown>): RunEntry {
    const now = new Date().toISOString();
    return {
      dag_id: dag.dag_id,
      dag_run_id: request.dag_run_id ?? `${request.run_type}__${request.logical_date ?? now}`,
      run_type: request.run_type,
      state: 'queued',
      logical_date: request.logical_date ?? null,
      data_interval_start: request.logical_date ?? null,
      data_interval_end: request.logical_date ?? null,
      run_after: request.logical_date ?? now,
      queued_at: now,
      start_date: null,
      end_date: null,
      conf,
      note: request.note ?? null,
      version: dag.version,
      backfill_id: request.backfill_id ?? null,
    };
  }

  async triggerRun(request: TriggerRequest): Promise<TriggerOutcome> {
    const dag = this.dags.get(request.dag_id);
    if (!dag) return { kind: 'not_found', message: `DAG ${request.dag_id} not found` };
    const conf = request.conf ?? {};
    const resolved = resolveRunParams(dag.plan.params, conf);
    if (!resolved.ok)
      return { kind: 'invalid', errors: resolved.errors.map((e) => ({ ...e, field: `conf.${e.field}` })) };
    const run = this.newRun(dag, request, conf);
    const live = this.runs.get(dag.dag_id)!;
    const existing = live.find((l) => l.run.dag_run_id === run.dag_run_id);
    if (existing) return { kind: 'conflict', message: `DAG run ${run.dag_run_id} already exists` };
    const tis = new Map(
      dag.plan.tasks.map((t) => [
        t.task_id,
        {
          task_id: t.task_id,
          state: null,
          try_number: 0,
          start_date: null,
          end_date: null,
          tries: [],
          outputs: null,
        },
      ]),
    );
    live.push({ run, tis, endsAt: new Map() });
    return { kind: 'created', run: { ...run } };
  }

  private live(dagId: string, runId: string): Live | undefined {
    return this.runs.get(dagId)?.find((l) => l.run.dag_run_id === runId);
  }

  async listRuns(dagId: string): Promise<RunEntry[]> {
    return (this.runs.get(dagId) ?? []).map((l) => ({ ...l.run }));
  }

  async getRun(dagId: string, runId: string): Promise<RunEntry | null> {
    const live = this.live(dagId, runId);
    return live ? { ...live.run } : null;
  }

  async taskInstances(dagId: string, runId: string): Promise<TaskInstanceRecord[] | null> {
    const live = this.live(dagId, runId);
    return live ? [...live.tis.values()].map((ti) => structuredClone(ti)) : null;
  }

  async cancelRun(dagId: string, runId: string): Promise<CancelOutcome> {
    const live = this.live(dagId, runId);
    if (!live) return { kind: 'not_found' };
    if (live.run.state !== 'queued' && live.run.state !== 'running')
      return { kind: 'conflict', message: `DAG run ${runId} has already ended` };
    const now = new Date().toISOString();
    for (const ti of live.tis.values()) {
      if (ti.state === 'running') this.endTry(ti, 'failed', now, 'marked failed: the job was cancelled');
      else if (!FINAL.has(ti.state)) ti.state = 'skipped';
    }
    live.endsAt.clear();
    Object.assign(live.run, { state: 'failed', end_date: now });
    return { kind: 'cancelled', run: { ...live.run } };
  }

  async rerun(dagId: string, runId: string, request: RerunRequest): Promise<RerunOutcome> {
    const live = this.live(dagId, runId);
    if (!live) return { kind: 'not_found' };
    for (const id of request.cleared) {
      const ti = live.tis.get(id);
      if (ti) Object.assign(ti, { state: null, start_date: null, end_date: null });
    }
    Object.assign(live.run, { state: 'queued', end_date: null });
    return { kind: 'rerun', run: { ...live.run } };
  }

  async createBackfill(record: Omit<BackfillRecord, 'id'>): Promise<BackfillRecord> {
    const backfill = { ...record, id: this.backfills.length + 1 };
    this.backfills.push(backfill);
    return { ...backfill };
  }

  async getBackfill(id: number): Promise<BackfillRecord | null> {
    const b = this.backfills.find((x) => x.id === id);
    return b ? { ...b } : null;
  }

  async listBackfills(dagId: string | null): Promise<BackfillRecord[]> {
    return this.backfills.filter((b) => dagId === null || b.dag_id === dagId).map((b) => ({ ...b }));
  }

  async updateBackfill(record: BackfillRecord): Promise<void> {
    const i = this.backfills.findIndex((b) => b.id === record.id);
    if (i >= 0) this.backfills[i] = { ...record };
  }

  now(): Date {
    return new Date();
  }

  private endTry(ti: TaskInstanceRecord, state: FinalTaskState, at: string, event: string): void {
    ti.state = state;
    ti.end_date = at;
    const t = ti.tries.at(-1)!;
    t.state = state;
    t.end_date = at;
    t.log.push({ timestamp: at, event, level: state === 'failed' ? 'error' : 'info' });
  }

  /** One scheduler pass over every live run: end due tasks, start the ready ones, end finished runs. */
  private step(): void {
    const nowMs = Date.now();
    const now = new Date(nowMs).toISOString();
    for (const [dagId, lives] of this.runs) {
      const dag = this.dags.get(dagId)!;
      for (const live of lives) {
        if (live.run.state === 'queued')
          Object.assign(live.run, { state: 'running', start_date: live.run.start_date ?? now });
        if (live.run.state !== 'running') continue;
        for (const [taskId, endsAt] of live.endsAt) {
          if (endsAt > nowMs) continue;
          live.endsAt.delete(taskId);
          const ti = live.tis.get(taskId)!;
          const failOnce = ([] as unknown[]).concat(live.run.conf.fail_once ?? []);
          const fails = failOnce.includes(taskId) && ti.try_number === 1;
          this.endTry(
            ti,
            fails ? 'failed' : 'success',
            now,
            fails ? 'job FAILED (fail_once)' : 'job FINISHED',
          );
        }
        for (const task of dag.plan.tasks) this.maybeStart(live, task, now, nowMs);
        const states = [...live.tis.values()].map((ti) => ti.state);
        if (states.every((s) => FINAL.has(s))) {
          const failed = states.some((s) => s === 'failed' || s === 'upstream_failed');
          Object.assign(live.run, { state: failed ? 'failed' : 'success', end_date: now });
        }
      }
    }
  }

  private maybeStart(live: Live, task: TaskIR, now: string, nowMs: number): void {
    const ti = live.tis.get(task.task_id)!;
    if (ti.state !== null) return;
    const counts = emptyCounts(task.upstream.length);
    for (const up of task.upstream) {
      const state = live.tis.get(up)?.state;
      if (state && FINAL.has(state)) countState(counts, state as FinalTaskState);
    }
    const decision = decide(task.trigger_rule, counts);
    if (decision === 'wait') return;
    if (decision !== 'run') {
      Object.assign(ti, { state: decision, start_date: null, end_date: now });
      return;
    }
    const jobId = `job-${++this.jobs}`;
    ti.try_number += 1;
    Object.assign(ti, { state: 'running', start_date: now, end_date: null });
    ti.tries.push({
      try_number: ti.try_number,
      state: 'running',
      start_date: now,
      end_date: null,
      job_id: jobId,
      job_url: `http://127.0.0.1:8081/#/job/${jobId}/overview`,
      log: [{ timestamp: now, event: `submitted ${jobId}`, level: 'info' }],
    });
    const ms = typeof live.run.conf.task_ms === 'number' ? live.run.conf.task_ms : this.taskMs;
    live.endsAt.set(task.task_id, nowMs + ms);
  }
}
