import type { RunRecord, RunSpec, RunStore } from '../../src/handlers/api/run-store.ts';

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
    Object.assign(run, { state: 'running', execution_arn: executionArn, start_date: startDate });
    return true;
  }

  async finish(
    dagId: string,
    runId: string,
    state: 'success' | 'failed',
    endDate: string,
    releases: boolean,
  ) {
    const run = this.runs.get(`${dagId}/${runId}`);
    if (!run || (run.state !== 'queued' && run.state !== 'running')) return false;
    if (releases && (this.active.get(dagId) ?? 0) <= 0) return false;
    Object.assign(run, { state, end_date: endDate });
    if (releases) this.active.set(dagId, this.active.get(dagId)! - 1);
    return true;
  }
}
