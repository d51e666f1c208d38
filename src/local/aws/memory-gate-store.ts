import { isDeepStrictEqual } from 'node:util';
import {
  EMPTY_SLOT_QUEUE,
  type GateStore,
  type SlotQueue,
  type TaskEnd,
  type VerdictKind,
  type WaiterInput,
  type WaiterRecord,
} from '../../handlers/gates/gate-store.ts';

interface RunItems {
  ends: Map<string, TaskEnd>;
  waiters: Map<string, WaiterRecord>;
  index: Map<number, string>;
  slots: { queue: SlotQueue; version: number };
}

/**
 * The gate store of `airless run`: the same items and the same conditions as the DynamoDB store,
 * each method one atomic step (nothing awaits inside one), values copied in and out. Items live
 * as long as the process (a local run); `dropRun` forgets a finished run.
 */
export class MemoryGateStore implements GateStore {
  private readonly runs = new Map<string, RunItems>();

  private run(runKey: string): RunItems {
    let items = this.runs.get(runKey);
    if (!items) {
      items = {
        ends: new Map(),
        waiters: new Map(),
        index: new Map(),
        slots: { queue: EMPTY_SLOT_QUEUE, version: 0 },
      };
      this.runs.set(runKey, items);
    }
    return items;
  }

  dropRun(runKey: string): void {
    this.runs.delete(runKey);
  }

  async recordEnd(runKey: string, end: TaskEnd): Promise<'recorded' | 'duplicate' | 'conflict'> {
    const { ends } = this.run(runKey);
    const existing = ends.get(end.task_id);
    if (existing) return isDeepStrictEqual(existing, end) ? 'duplicate' : 'conflict';
    ends.set(end.task_id, structuredClone(end));
    return 'recorded';
  }

  async readEnds(runKey: string, taskIds: readonly string[]): Promise<Map<string, TaskEnd>> {
    return copiesOf(this.run(runKey).ends, taskIds);
  }

  async register(runKey: string, waiter: WaiterInput): Promise<WaiterRecord> {
    const { waiters } = this.run(runKey);
    const existing = waiters.get(waiter.task_id);
    const next: WaiterRecord = {
      ...structuredClone(waiter),
      fired: existing?.fired ?? null,
      sent: existing !== undefined && existing.token === waiter.token && existing.sent,
    };
    waiters.set(waiter.task_id, next);
    return structuredClone(next);
  }

  async readWaiters(runKey: string, taskIds: readonly string[]): Promise<Map<string, WaiterRecord>> {
    return copiesOf(this.run(runKey).waiters, taskIds);
  }

  async fire(
    runKey: string,
    taskId: string,
    verdict: VerdictKind,
  ): Promise<{ fired: boolean; waiter: WaiterRecord }> {
    const w = this.run(runKey).waiters.get(taskId);
    if (!w) throw new Error(`gate store: no waiter '${taskId}' to fire`);
    const fired = w.fired === null;
    if (fired) w.fired = verdict;
    return { fired, waiter: structuredClone(w) };
  }

  async markSent(runKey: string, taskId: string, token: string): Promise<void> {
    const w = this.run(runKey).waiters.get(taskId);
    if (w && w.token === token) w.sent = true;
  }

  async putSlotIndex(runKey: string, order: number, taskId: string): Promise<void> {
    this.run(runKey).index.set(order, taskId);
  }

  async readSlotIndex(runKey: string, orders: readonly number[]): Promise<Map<number, string>> {
    const { index } = this.run(runKey);
    const out = new Map<number, string>();
    for (const o of orders) {
      const id = index.get(o);
      if (id !== undefined) out.set(o, id);
    }
    return out;
  }

  async readSlots(runKey: string): Promise<{ queue: SlotQueue; version: number }> {
    return structuredClone(this.run(runKey).slots);
  }

  async writeSlots(runKey: string, queue: SlotQueue, version: number): Promise<boolean> {
    const items = this.run(runKey);
    if (items.slots.version !== version) return false;
    items.slots = { queue: structuredClone(queue), version: version + 1 };
    return true;
  }
}

/** Copies of the items stored under `ids` (absent ones left out), so callers never alias the store. */
function copiesOf<T>(items: Map<string, T>, ids: readonly string[]): Map<string, T> {
  const out = new Map<string, T>();
  for (const id of ids) {
    const item = items.get(id);
    if (item !== undefined) out.set(id, structuredClone(item));
  }
  return out;
}
