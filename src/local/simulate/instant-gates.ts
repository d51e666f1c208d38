import type { GateStore, SlotQueue } from '../../handlers/gates/gate-store.ts';
import type { GateInvocation, GateWait } from '../../handlers/gates/protocol.ts';
import type { Resource } from '../aws/aws-engine.ts';

interface Pending {
  payload: GateInvocation;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * The gate calls of one virtual instant, taken in a batch, as Airflow's scheduler takes one loop's
 * worth of events and the Durable orchestrator one completion with everything it settles: calls
 * wait until the engine is quiescent, then run one at a time in rounds (ends first, then waits
 * by slot priority: highest priority_weight, then topological order), each round's verdicts
 * letting branches settle more tasks at the same instant. No slot is granted during the rounds
 * (the core sees a full queue); after them, slots freed at the instant and slots already free go
 * to the best tasks ready by then (a release, or a repeated wait, which the core treats as a
 * retry). Real Step Functions has no equal instants; this only makes the simulation's ties come
 * out as both engines' schedulers resolve them. The gate core itself is unchanged.
 */
export class InstantGates {
  #calls: Pending[] = [];
  #releases: GateInvocation[] = [];
  /** While the instant's calls run, no slot is granted: the slot queue reads as full. */
  #frozen = false;
  #cap = 0;
  #runKey = '';
  /** The last wait of each slot-asking task: replayed (an idempotent retry) to hand free slots on. */
  readonly #waits = new Map<string, GateWait>();
  private readonly gate: Resource;

  constructor(
    core: (store: GateStore) => Resource,
    private readonly store: GateStore,
    private readonly queued: () => void,
  ) {
    this.gate = core(this.#freezable(store));
  }

  /** The store as the core sees it: while frozen, the slot queue has every slot taken. */
  #freezable(store: GateStore): GateStore {
    const fake = (q: SlotQueue): SlotQueue => {
      const missing = Math.max(0, this.#cap - q.holders.length);
      return { ...q, holders: [...q.holders, ...Array.from({ length: missing }, (_, i) => -1 - i)] };
    };
    const real = (q: SlotQueue): SlotQueue => ({ ...q, holders: q.holders.filter((h) => h >= 0) });
    return {
      recordEnd: (...a) => store.recordEnd(...a),
      readEnds: (...a) => store.readEnds(...a),
      register: (...a) => store.register(...a),
      readWaiters: (...a) => store.readWaiters(...a),
      fire: (...a) => store.fire(...a),
      markSent: (...a) => store.markSent(...a),
      putSlotIndex: (...a) => store.putSlotIndex(...a),
      readSlotIndex: (...a) => store.readSlotIndex(...a),
      readSlots: async (runKey: string) => {
        const read = await store.readSlots(runKey);
        return this.#frozen ? { ...read, queue: fake(read.queue) } : read;
      },
      writeSlots: (runKey: string, queue: SlotQueue, version: number) =>
        store.writeSlots(runKey, this.#frozen ? real(queue) : queue, version),
    };
  }

  readonly resource: Resource = (payload) =>
    new Promise((resolve, reject) => {
      this.#calls.push({ payload: payload as GateInvocation, resolve, reject });
      this.queued();
    });

  /** Runs the next batch; false when nothing was waiting (the clock may then advance). */
  async drain(): Promise<boolean> {
    if (this.#calls.length > 0) {
      const batch = this.#calls.sort((a, b) => rank(a.payload, b.payload));
      this.#calls = [];
      this.#frozen = true;
      for (const call of batch) {
        const p = call.payload;
        if (p.op === 'wait' && p.slot) {
          this.#cap = p.slot.cap;
          this.#runKey = p.run_key;
          this.#waits.set(p.task_id, p);
        }
        const now = p.op === 'end' && p.release_slot ? { ...p, release_slot: false } : p;
        try {
          call.resolve(await this.gate(now));
          if (now !== p) this.#releases.push(p);
        } catch (e) {
          call.reject(e);
        }
      }
      this.#frozen = false;
      return true;
    }
    if (this.#releases.length > 0) {
      const releases = this.#releases;
      this.#releases = [];
      for (const r of releases) await this.gate(r);
      return true;
    }
    // Slots free and tasks ready (nobody released one at this instant): hand them on, best first,
    // by repeating the best ready task's wait, which the core treats as a retry.
    if (this.#runKey === '') return false;
    const { queue } = await this.store.readSlots(this.#runKey);
    if (queue.ready.length === 0 || queue.holders.length >= this.#cap) return false;
    const best = (await this.store.readSlotIndex(this.#runKey, [queue.ready[0]![1]])).get(queue.ready[0]![1]);
    const wait = best === undefined ? undefined : this.#waits.get(best);
    if (!wait) return false;
    await this.gate(wait);
    return true;
  }
}

function rank(a: GateInvocation, b: GateInvocation): number {
  if (a.op !== b.op) return a.op === 'end' ? -1 : 1;
  if (a.op === 'end' || b.op === 'end') return 0;
  const wa = a.slot?.priority_weight ?? Infinity;
  const wb = b.slot?.priority_weight ?? Infinity;
  if (wa !== wb) return wb - wa;
  return (a.slot?.order ?? 0) - (b.slot?.order ?? 0);
}
