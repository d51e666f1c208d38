import type { FinalTaskState, PlanIR, RunState as RunOutcome, TaskIR } from '../compiler/ir.ts';
import { countState, decide, emptyCounts, type UpstreamCounts } from './trigger-rules.ts';

/**
 * The pure bookkeeping of one DAG run: which tasks may start, which settle without running
 * (skipped, upstream_failed), and the run's outcome. No I/O and no clock, so an orchestrator can
 * rebuild it identically on every replay.
 */
export class DagRunState {
  private readonly byId = new Map<string, TaskIR>();
  private readonly order = new Map<string, number>();
  private readonly counts = new Map<string, UpstreamCounts>();
  /** Upstreams whose outputs a task's templates read, not yet final. */
  private readonly readsPending = new Map<string, Set<string>>();
  private readonly finals = new Map<string, FinalTaskState>();
  private readonly running = new Set<string>();
  /** Running tasks that hold a max_active_tasks slot (job tasks; empty ones take none, as Airflow's EmptyOperator). */
  private slotsHeld = 0;
  /** Decided to run, waiting for a slot; best first: priority_weight descending, then topological order. */
  private readonly queued: string[] = [];
  private readonly undecided = new Set<string>();
  private candidates: string[] = [];

  constructor(private readonly plan: PlanIR) {
    plan.tasks.forEach((t, i) => {
      this.byId.set(t.task_id, t);
      this.order.set(t.task_id, i);
      this.counts.set(t.task_id, emptyCounts(t.upstream.length));
      this.readsPending.set(t.task_id, new Set(t.reads.map((r) => r.task)));
      this.undecided.add(t.task_id);
      this.candidates.push(t.task_id);
    });
  }

  /**
   * Settles every task whose trigger rule can now decide and returns the tasks to start now,
   * at most max_active_tasks running at once. `settled` lists tasks that ended without running.
   */
  advance(): { start: TaskIR[]; settled: Array<{ task_id: string; state: FinalTaskState }> } {
    const settled: Array<{ task_id: string; state: FinalTaskState }> = [];
    const starting: TaskIR[] = [];
    while (this.candidates.length > 0) {
      const id = this.candidates.pop()!;
      if (!this.undecided.has(id)) continue;
      const task = this.byId.get(id)!;
      const decision = decide(task.trigger_rule, this.counts.get(id)!);
      if (decision === 'wait') continue;
      if (decision === 'run') {
        if (this.readsPending.get(id)!.size > 0) continue;
        this.undecided.delete(id);
        if (task.operator === 'empty') starting.push(task);
        else this.enqueue(id);
      } else {
        this.undecided.delete(id);
        settled.push({ task_id: id, state: decision });
        this.settle(id, decision);
      }
    }
    for (const task of starting) this.running.add(task.task_id);
    const start: TaskIR[] = starting;
    while (this.queued.length > 0 && this.slotsHeld < this.plan.max_active_tasks) {
      const id = this.queued.shift()!;
      this.running.add(id);
      this.slotsHeld++;
      start.push(this.byId.get(id)!);
    }
    return { start, settled };
  }

  /** Records a task's final state without running it (a re-run keeps its recorded outcome). */
  keep(taskId: string, state: FinalTaskState): void {
    if (!this.undecided.delete(taskId)) throw new Error(`task ${taskId} is already decided`);
    this.settle(taskId, state);
  }

  /** Records the final state of a task that ran. */
  complete(taskId: string, state: FinalTaskState): void {
    if (!this.running.delete(taskId)) throw new Error(`task ${taskId} is not running`);
    if (this.byId.get(taskId)!.operator !== 'empty') this.slotsHeld--;
    this.settle(taskId, state);
  }

  get done(): boolean {
    return this.finals.size === this.byId.size;
  }

  isRunning(taskId: string): boolean {
    return this.running.has(taskId);
  }

  stateOf(taskId: string): FinalTaskState | undefined {
    return this.finals.get(taskId);
  }

  /** Airflow: the run failed when any leaf task ended failed or upstream_failed. */
  outcome(): RunOutcome {
    const bad = this.plan.graph.leaves.some((id) => {
      const s = this.finals.get(id);
      return s === 'failed' || s === 'upstream_failed';
    });
    return bad ? 'failed' : 'success';
  }

  private enqueue(id: string): void {
    const weight = this.byId.get(id)!.priority_weight;
    const rank = this.order.get(id)!;
    const after = (other: string): boolean => {
      const w = this.byId.get(other)!.priority_weight;
      return w < weight || (w === weight && this.order.get(other)! > rank);
    };
    let i = this.queued.length;
    while (i > 0 && after(this.queued[i - 1]!)) i--;
    this.queued.splice(i, 0, id);
  }

  private settle(id: string, state: FinalTaskState): void {
    this.finals.set(id, state);
    for (const down of this.byId.get(id)!.downstream) {
      countState(this.counts.get(down)!, state);
      this.readsPending.get(down)!.delete(id);
      this.candidates.push(down);
    }
  }
}
