import { TRIGGER_RULES, type TriggerRule } from '../../dag/vocabulary.ts';
import { TASK_ID_PATTERN } from '../../dag/schema.ts';
import { AirlessError } from '../../errors.ts';
import { countState, decide, emptyCounts } from '../../semantics/trigger-rules.ts';
import type { GateStore, SlotQueue, TaskEnd, VerdictKind, WaiterRecord } from './gate-store.ts';
import { markSlotsSent, releaseSlot, requestSlot } from './slot-queue.ts';
import {
  GateInvocationSchema,
  type GateEnd,
  type GateInvocation,
  type GateVerdict,
  type GateWait,
  type TaskTokenSender,
} from './protocol.ts';

/**
 * The gate core, cloud-neutral. A `wait` registers the parked task, then reads its upstreams'
 * ends; an `end` records the task's end, then reads the registered waiters among its downstream.
 * Both are strongly consistent write-then-read, so of a waiter and the last end it needs at least
 * one sees the other (no lost wake-up). Firing is one conditional write (no double start); the
 * slot queue is one item replaced by version. A repeated call repeats every step idempotently and
 * re-sends a verdict a previous try set but may not have delivered.
 */
export interface GateDeps {
  store: GateStore;
  tokens: TaskTokenSender;
}

/** What a call did, for logs and tests: the tasks it sent a verdict to. */
export interface GateResult {
  sent: Array<{ task_id: string; verdict: VerdictKind }>;
}

/** Step Functions caps a state's input and a callback's output at 256 KB; a gate payload is no larger. */
export const MAX_GATE_PAYLOAD_BYTES = 256 * 1024;

/** SendTaskSuccess on a token that is already completed, timed out or unknown: the verdict is moot. */
const SETTLED_TOKEN_ERRORS = new Set(['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist']);
export const isSettledTokenError = (error: unknown): boolean =>
  error instanceof Error && SETTLED_TOKEN_ERRORS.has(error.name);

/** Store calls one gate call keeps in flight at most (a task with thousands of downstreams). */
const PARALLEL_STEPS = 16;

async function forEachLimited<T>(items: readonly T[], step: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await step(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_STEPS, items.length) }, worker));
}

const badInput = (message: string) => new AirlessError('BadInput', `gate: ${message}`);

function parseInvocation(raw: unknown): GateInvocation {
  const parsed = GateInvocationSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
    throw badInput(`invalid invocation: ${problems.join('; ')}`);
  }
  const inv = parsed.data;
  if (Buffer.byteLength(JSON.stringify(inv)) > MAX_GATE_PAYLOAD_BYTES)
    throw badInput(`payload over ${MAX_GATE_PAYLOAD_BYTES} bytes`);
  const ids =
    inv.op === 'wait' ? [inv.task_id, ...inv.upstream, ...inv.reads] : [inv.task_id, ...inv.downstream];
  const bad = ids.find((id) => !TASK_ID_PATTERN.test(id));
  if (bad !== undefined) throw badInput(`'${bad.slice(0, 80)}' is not a task id`);
  if (inv.op === 'wait') {
    if (!(TRIGGER_RULES as readonly string[]).includes(inv.trigger_rule))
      throw badInput(`unknown trigger rule '${inv.trigger_rule}'`);
    const up = new Set(inv.upstream);
    if (up.size !== inv.upstream.length) throw badInput(`task '${inv.task_id}' lists an upstream twice`);
  }
  return inv;
}

export async function handleGate(raw: unknown, deps: GateDeps): Promise<GateResult> {
  const inv = parseInvocation(raw);
  const gate = new Gate(inv.run_key, deps);
  if (inv.op === 'wait') await gate.wait(inv);
  else await gate.end(inv);
  return { sent: gate.sent };
}

class Gate {
  readonly sent: GateResult['sent'] = [];

  constructor(
    private readonly runKey: string,
    private readonly deps: GateDeps,
  ) {}

  private get store(): GateStore {
    return this.deps.store;
  }

  async wait(w: GateWait): Promise<void> {
    if (w.slot) await this.store.putSlotIndex(this.runKey, w.slot.order, w.task_id);
    const waiter = await this.store.register(this.runKey, {
      task_id: w.task_id,
      token: w.token,
      spec: {
        trigger_rule: w.trigger_rule as TriggerRule,
        upstream: w.upstream,
        reads: w.reads,
        slot: w.slot,
      },
    });
    // A repeated wait (a retried Lambda, or a new token after a retried Task state) always re-sends.
    await this.evaluate(waiter, true);
  }

  async end(e: GateEnd): Promise<void> {
    const end: TaskEnd = { task_id: e.task_id, state: e.state, output: e.output };
    const recorded = await this.store.recordEnd(this.runKey, end);
    if (recorded === 'conflict')
      throw new AirlessError('Conflict', `gate: task '${e.task_id}' already reported a different end`);
    const waiters = await this.store.readWaiters(this.runKey, e.downstream);
    await forEachLimited([...waiters.values()], (w) => this.evaluate(w, false));
    if (!e.release_slot) return;
    const holder = (await this.store.readWaiters(this.runKey, [e.task_id])).get(e.task_id);
    const slot = holder?.spec.slot;
    // A task settled before it asked for a slot (its upstream's state decided it) holds none.
    if (!slot) return;
    await this.slotStep((q) => releaseSlot(q, slot.order, slot.cap));
  }

  /** Fires the waiter if its rule (and, for 'run', its reads and a slot) allow it now. */
  private async evaluate(waiter: WaiterRecord, resend: boolean): Promise<void> {
    if (waiter.fired) {
      if (resend || !waiter.sent) await this.send(waiter);
      return;
    }
    const { trigger_rule, upstream, reads, slot } = waiter.spec;
    // `reads` may name any ancestor (a template reads tasks.<ancestor>.output): a 'run' waits for those too.
    const ends = await this.store.readEnds(this.runKey, [...new Set([...upstream, ...reads])]);
    const counts = emptyCounts(upstream.length);
    for (const u of upstream) {
      const end = ends.get(u);
      if (end) countState(counts, end.state);
    }
    const decision = decide(trigger_rule, counts);
    if (decision === 'wait') return;
    if (decision === 'run' && reads.some((r) => !ends.has(r))) return;
    if (decision === 'run' && slot) {
      await this.slotStep((q) => requestSlot(q, slot.priority_weight, slot.order, slot.cap));
      return;
    }
    await this.fire(waiter.task_id, decision, ends);
  }

  private async fire(taskId: string, verdict: VerdictKind, ends?: Map<string, TaskEnd>): Promise<void> {
    const { fired, waiter } = await this.store.fire(this.runKey, taskId, verdict);
    // Whoever set the verdict sends it; another caller only when it is not known to be sent yet.
    if (fired || !waiter.sent) await this.send(waiter, ends);
  }

  private async send(waiter: WaiterRecord, known?: Map<string, TaskEnd>): Promise<void> {
    const verdict = waiter.fired!;
    const outputs: GateVerdict['outputs'] = {};
    if (verdict === 'run' && waiter.spec.reads.length > 0) {
      const ends = known ?? (await this.store.readEnds(this.runKey, waiter.spec.reads));
      for (const r of waiter.spec.reads)
        outputs[r] = (ends.get(r)?.output ?? {}) as GateVerdict['outputs'][string];
    }
    try {
      await this.deps.tokens.sendTaskSuccess(waiter.token, { verdict, outputs });
    } catch (error) {
      if (!isSettledTokenError(error)) throw error;
    }
    this.sent.push({ task_id: waiter.task_id, verdict });
    await this.store.markSent(this.runKey, waiter.task_id, waiter.token);
  }

  /**
   * One optimistic step on the run's slot queue (re-read and retried when another call wrote
   * first), then the verdicts of every granted holder not yet known to be sent: a grant whose
   * sender died is sent by the next step of the run (a retry of that call is one).
   */
  private async slotStep(step: (q: SlotQueue) => SlotQueue): Promise<void> {
    let queue: SlotQueue;
    for (;;) {
      const current = await this.store.readSlots(this.runKey);
      queue = step(current.queue);
      if (queue === current.queue) break;
      if (await this.store.writeSlots(this.runKey, queue, current.version)) break;
    }
    if (queue.unsent.length === 0) return;
    const names = await this.store.readSlotIndex(this.runKey, queue.unsent);
    const done: number[] = [];
    await forEachLimited(queue.unsent, async (order) => {
      const taskId = names.get(order);
      if (taskId === undefined) throw new Error(`gate: slot order ${order} has no task`);
      await this.fire(taskId, 'run');
      done.push(order);
    });
    for (;;) {
      const current = await this.store.readSlots(this.runKey);
      const next = markSlotsSent(current.queue, done);
      if (next === current.queue) return;
      if (await this.store.writeSlots(this.runKey, next, current.version)) return;
    }
  }
}
