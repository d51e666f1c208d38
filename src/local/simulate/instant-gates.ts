import type { GateInvocation } from '../../handlers/gates/protocol.ts';
import type { Resource } from '../aws-engine.ts';

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
 * letting branches settle more tasks at the same instant; slots freed at the instant are handed on
 * only after that, to the best task ready by then. Real Step Functions has no equal instants; this
 * only makes the simulation's ties come out as both engines' schedulers resolve them.
 */
export class InstantGates {
  #calls: Pending[] = [];
  #releases: GateInvocation[] = [];

  constructor(
    private readonly gate: Resource,
    private readonly queued: () => void,
  ) {}

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
      for (const call of batch) {
        const p = call.payload;
        const now = p.op === 'end' && p.release_slot ? { ...p, release_slot: false } : p;
        try {
          call.resolve(await this.gate(now));
          if (now !== p) this.#releases.push(p);
        } catch (e) {
          call.reject(e);
        }
      }
      return true;
    }
    if (this.#releases.length > 0) {
      const releases = this.#releases;
      this.#releases = [];
      for (const r of releases) await this.gate(r);
      return true;
    }
    return false;
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
