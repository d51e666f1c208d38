import type { RunRecord, RunSpec, RunStore } from '../../src/runs/run-store.ts';

/**
 * A test double of the RunStore with the same conditional semantics as the DynamoDB one (whose
 * exact requests dynamodb-run-store.test.ts pins down): create-if-absent, take-if-present,
 * counter-below-max, transition-from-state. No DynamoDB engine runs offline here.
 */
export class MemoryRunStore implements RunStore {
  readonly runs = new Map<string, RunRecord>();
  readonly queues = new Map<string, Array<{ key: string; runId: string }>>();
  readonly active = new Map<string, number>();

  private queue(dagId: string) {
    if (!this.queues.has(dagId)) this.queues.set(dagId, []);
    return this.queues.get(dagId)!;
  }

  async createQueuedRun(spec: RunSpec) {
    const id = `${spec.dag_id}/${spec.run_id}`;
    const existing = this.runs.get(id);
    if (existing) return { created: false, run: structuredClone(existing) };
    const run: RunRecord = {
      ...spec,
      state: 'queued',
      execution_arn: null,
      executions: [],
      pending_resume: null,
      start_date: null,
      end_date: null,
    };
    this.runs.set(id, run);
    this.queue(spec.dag_id).push({ key: `${spec.queued_at}#${spec.run_id}`, runId: spec.run_id });
    this.queue(spec.dag_id).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { created: true, run: structuredClone(run) };
  }

  async getRun(dagId: string, runId: string) {
    const run = this.runs.get(`${dagId}/${runId}`);
    return run ? structuredClone(run) : null;
  }

  async listRuns(dagId: string) {
    return [...this.runs.values()]
      .filter((r) => r.dag_id === dagId)
      .sort((a, b) => (a.run_id < b.run_id ? -1 : 1))
      .map((r) => structuredClone(r));
  }

  async dequeueOldest(dagId: string) {
    return this.queue(dagId).shift()?.runId ?? null;
  }

  async removeFromQueue(spec: RunSpec) {
    const queue = this.queue(spec.dag_id);
    const i = queue.findIndex((e) => e.runId === spec.run_id);
    if (i < 0) return false;
    queue.splice(i, 1);
    return true;
  }

  async queueLength(dagId: string) {
    return this.queue(dagId).length;
  }

  async tryAcquireSlot(dagId: string, max: number) {
    const now = this.active.get(dagId) ?? 0;
    if (now >= max) return false;
    this.active.set(dagId, now + 1);
    return true;
  }

  async releaseSlot(dagId: string) {
    const now = this.active.get(dagId) ?? 0;
    if (now <= 0) throw new Error('ConditionalCheckFailed: active > 0');
    this.active.set(dagId, now - 1);
  }

  async markRunning(dagId: string, runId: string, executionArn: string, startDate: string) {
    const run = this.runs.get(`${dagId}/${runId}`);
    if (run?.state !== 'queued') return false;
    Object.assign(run, {
      state: 'running',
      execution_arn: executionArn,
      executions: [...run.executions, executionArn],
      pending_resume: null,
      start_date: startDate,
    });
    return true;
  }

  async finish(
    dagId: string,
    runId: string,
    state: 'success' | 'failed',
    endDate: string,
    releases: boolean,
    executionArn?: string,
  ) {
    const run = this.runs.get(`${dagId}/${runId}`);
    if (!run || (run.state !== 'queued' && run.state !== 'running')) return false;
    const current = run.execution_arn === executionArn;
    const early = run.state === 'queued' && !run.executions.includes(executionArn ?? '');
    if (executionArn !== undefined && !current && !early) return false;
    if (executionArn !== undefined && !current) {
      run.execution_arn = executionArn;
      run.executions.push(executionArn);
    }
    if (releases && (this.active.get(dagId) ?? 0) <= 0) return false;
    Object.assign(run, { state, end_date: endDate, pending_resume: null });
    if (releases) this.active.set(dagId, this.active.get(dagId)! - 1);
    return true;
  }

  async requeue(run: RunRecord, executionArn: string | null, resume: unknown, queuedAt: string) {
    const stored = this.runs.get(`${run.dag_id}/${run.run_id}`);
    if (!stored || (stored.state !== 'success' && stored.state !== 'failed')) return false;
    if (stored.execution_arn !== executionArn) return false;
    Object.assign(stored, {
      state: 'queued',
      pending_resume: resume,
      end_date: null,
      execution_arn: null,
      queued_at: queuedAt,
    });
    this.queue(run.dag_id).push({ key: `${queuedAt}#${run.run_id}`, runId: run.run_id });
    this.queue(run.dag_id).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return true;
  }
}
