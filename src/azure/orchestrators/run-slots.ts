import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';
import { FN, SLOT_GRANTED_EVENT } from '../contract.ts';
import { callInfraActivity } from './activity-retry.ts';

/** A waiting run re-asks the semaphore this often, in case the event that hands it a slot is lost. */
export const SLOT_RECHECK_S = 60;

const slotsOf = (dagId: string): df.EntityId => new df.EntityId(FN.slots, dagId);

/**
 * max_active_runs: waits (never gives up) until the DAG's semaphore entity grants this run a slot.
 * A releasing run hands its slot to the first waiter and wakes it with an event. A run that has
 * waited a whole re-check interval first has the slots of ended holders given back (a run
 * terminated from outside the API never released its own), then asks again.
 */
export function* acquireRunSlot(
  context: OrchestrationContext,
  dagId: string,
  limit: number,
): Generator<Task, void, unknown> {
  const request = { instance: context.df.instanceId, limit };
  for (;;) {
    const granted = (yield context.df.callEntity(slotsOf(dagId), 'acquire', request)) as boolean;
    if (granted) return;
    const wake = context.df.createTimer(
      new Date(context.df.currentUtcDateTime.getTime() + SLOT_RECHECK_S * 1000),
    );
    const winner = yield context.df.Task.any([context.df.waitForExternalEvent(SLOT_GRANTED_EVENT), wake]);
    if (winner === wake) yield* callInfraActivity(context, FN.reapSlots, { dag_id: dagId });
    else wake.cancel();
  }
}

/** Gives the slot back and wakes the run it was handed to, if any. */
export function* releaseRunSlot(
  context: OrchestrationContext,
  dagId: string,
): Generator<Task, void, unknown> {
  const next = (yield context.df.callEntity(slotsOf(dagId), 'release', {
    instance: context.df.instanceId,
  })) as string | null;
  if (next !== null)
    yield* callInfraActivity(context, FN.notify, { instance: next, event: SLOT_GRANTED_EVENT, data: null });
}

export interface SlotsState {
  /** The limit the latest acquire asked for (max_active_runs of the plan that run pinned). */
  limit: number;
  holders: string[];
  /** Runs waiting for a slot, first come first served. */
  waiters: string[];
}

export const EMPTY_SLOTS: SlotsState = { limit: 1, holders: [], waiters: [] };

/** The semaphore's operations, pure so they can be tested without an entity runtime. */
export function applySlotOperation(
  state: SlotsState,
  op: string,
  input: { instance: string; limit?: number },
): { state: SlotsState; result: boolean | string | null } {
  const { instance } = input;
  if (op === 'acquire') {
    const limit = input.limit ?? state.limit;
    if (state.holders.includes(instance)) return { state: { ...state, limit }, result: true };
    const ahead = state.waiters.filter((w) => w !== instance);
    const first = state.waiters.length === 0 || state.waiters[0] === instance;
    if (state.holders.length < limit && first) {
      return { state: { limit, holders: [...state.holders, instance], waiters: ahead }, result: true };
    }
    const waiters = state.waiters.includes(instance) ? state.waiters : [...state.waiters, instance];
    return { state: { limit, holders: state.holders, waiters }, result: false };
  }
  if (op === 'release') {
    const holders = state.holders.filter((h) => h !== instance);
    const waiters = state.waiters.filter((w) => w !== instance);
    const next = waiters[0];
    if (next === undefined || holders.length >= state.limit) {
      return { state: { limit: state.limit, holders, waiters }, result: null };
    }
    return {
      state: { limit: state.limit, holders: [...holders, next], waiters: waiters.slice(1) },
      result: next,
    };
  }
  throw new Error(`unknown operation ${op} on ${FN.slots}`);
}
