import type { FinalTaskState } from '../../compiler/ir.ts';
import type { TriggerRule } from '../../dag/vocabulary.ts';
import type { GateVerdict } from './protocol.ts';

/**
 * Where the gates of a run keep their facts. Every method is one atomic step on one item (the
 * in-memory store and the DynamoDB store give the same conditions); handleGate builds the
 * protocol from them:
 * - end:    one per task that reported its end, written once (state, output);
 * - waiter: one per parked task (its token, what it waits for, whether it was fired and sent);
 * - slots:  one per run, the max_active_tasks queue, numbers only, replaced by version;
 * - index:  one per slot request, order -> task id (the slots item names tasks by order).
 * Items of a run expire (TTL) after the store's lifetime for a run; none grows with a token list.
 */
export interface GateStore {
  /** Writes the end once. A second identical end is 'duplicate'; a different one is 'conflict' (nothing written). */
  recordEnd(runKey: string, end: TaskEnd): Promise<'recorded' | 'duplicate' | 'conflict'>;
  /** Consistent read of the ends among `taskIds` (absent: not reported yet). */
  readEnds(runKey: string, taskIds: readonly string[]): Promise<Map<string, TaskEnd>>;
  /**
   * Creates the waiter or, when it exists, sets its token (a new token clears `sent`); the fired
   * verdict is kept. Returns the waiter as written (one atomic step).
   */
  register(runKey: string, waiter: WaiterInput): Promise<WaiterRecord>;
  /** Consistent read of the registered waiters among `taskIds`. */
  readWaiters(runKey: string, taskIds: readonly string[]): Promise<Map<string, WaiterRecord>>;
  /**
   * Sets the verdict iff the waiter exists and none is set yet (the one conditional write that
   * decides a start). Returns whether this call set it, and the waiter after the step.
   */
  fire(
    runKey: string,
    taskId: string,
    verdict: VerdictKind,
  ): Promise<{ fired: boolean; waiter: WaiterRecord }>;
  /** Notes that the verdict reached `token`, iff that is still the waiter's token. */
  markSent(runKey: string, taskId: string, token: string): Promise<void>;
  /** Records which task a slot order names (idempotent: the same pair every time). */
  putSlotIndex(runKey: string, order: number, taskId: string): Promise<void>;
  readSlotIndex(runKey: string, orders: readonly number[]): Promise<Map<number, string>>;
  /** Consistent read; a run without one yet is the empty queue at version 0. */
  readSlots(runKey: string): Promise<{ queue: SlotQueue; version: number }>;
  /** Replaces the queue iff its version is still `version`; the new version is version + 1. */
  writeSlots(runKey: string, queue: SlotQueue, version: number): Promise<boolean>;
}

export type VerdictKind = GateVerdict['verdict'];

export interface TaskEnd {
  task_id: string;
  state: FinalTaskState;
  output: Record<string, unknown> | null;
}

export interface WaiterSpec {
  trigger_rule: TriggerRule;
  upstream: string[];
  reads: string[];
  slot: { cap: number; priority_weight: number; order: number } | null;
}

export interface WaiterInput {
  task_id: string;
  token: string;
  spec: WaiterSpec;
}

export interface WaiterRecord extends WaiterInput {
  fired: VerdictKind | null;
  /** The verdict reached the current token (or the token answered that it is settled). */
  sent: boolean;
}

/** A run's max_active_tasks slots; tasks are named by their `order` so the item stays small. */
export interface SlotQueue {
  /** Ready, not yet granted: [priority_weight, order], best first (weight descending, order ascending). */
  ready: Array<[number, number]>;
  holders: number[];
  /** Holders granted whose verdict may not have been sent yet (a subset of holders). */
  unsent: number[];
  /** Holders that released their slot: never queued again. */
  released: number[];
}

export const EMPTY_SLOT_QUEUE: SlotQueue = { ready: [], holders: [], unsent: [], released: [] };

/** The item lifetime when no other is given: Step Functions' longest run (a year) and a day. */
export const DEFAULT_GATE_TTL_SECONDS = 366 * 24 * 3600;
