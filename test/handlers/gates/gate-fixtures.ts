import { DynamoDbGateStore } from '../../../src/aws/dynamodb-gate-store.ts';
import type { GateStore } from '../../../src/handlers/gates/gate-store.ts';
import type { GateVerdict, TaskTokenSender } from '../../../src/handlers/gates/protocol.ts';
import { MemoryGateStore } from '../../../src/local/aws/memory-gate-store.ts';
import { startDynamo, type LocalDynamo } from '../../shared/dynalite.ts';

/** One store kind of the shared suite: the in-memory store, or the DynamoDB store on dynalite. */
export interface StoreKind {
  name: string;
  start(): Promise<void>;
  make(): GateStore;
  stop(): Promise<void>;
}

export function storeKinds(): StoreKind[] {
  let dynamo: LocalDynamo | undefined;
  return [
    { name: 'memory', start: async () => {}, make: () => new MemoryGateStore(), stop: async () => {} },
    {
      name: 'dynamodb (dynalite)',
      start: async () => {
        dynamo = await startDynamo('runs');
      },
      make: () => new DynamoDbGateStore(dynamo!.client, 'runs'),
      stop: async () => dynamo?.close(),
    },
  ];
}

const settled = (name: string) => Object.assign(new Error(`${name}: the task is settled`), { name });

/**
 * The TaskTokenSender double: records every send; like Step Functions, a token accepts one
 * result, and a later send on it answers TaskTimedOut. `failNext` makes the next sends fail
 * (a network error before Step Functions got them).
 */
export class RecordingTokens implements TaskTokenSender {
  readonly accepted = new Map<string, GateVerdict>();
  readonly attempts: Array<{ token: string; verdict: GateVerdict }> = [];
  failNext = 0;
  onSend: ((token: string) => Promise<void>) | undefined;

  async sendTaskSuccess(token: string, output: GateVerdict): Promise<void> {
    await this.onSend?.(token);
    if (this.failNext > 0) {
      this.failNext--;
      throw Object.assign(new Error('socket hang up'), { name: 'NetworkError' });
    }
    this.attempts.push({ token, verdict: output });
    if (this.accepted.has(token)) throw settled('TaskTimedOut');
    this.accepted.set(token, structuredClone(output));
  }

  async sendTaskFailure(token: string): Promise<void> {
    if (this.accepted.has(token)) throw settled('TaskTimedOut');
    throw new Error('gates never fail a token');
  }
}

type Hook = (method: keyof GateStore, args: unknown[]) => Promise<void> | void;

/** Wraps a store so a test can stop a call between two steps (before or after any store call). */
export function hookedStore(
  inner: GateStore,
  hooks: { before?: Hook; after?: Hook },
): GateStore & {
  fired: string[];
} {
  const fired: string[] = [];
  const wrapped = { fired } as unknown as GateStore & { fired: string[] };
  for (const method of [
    'recordEnd',
    'readEnds',
    'register',
    'readWaiters',
    'fire',
    'markSent',
    'putSlotIndex',
    'readSlotIndex',
    'readSlots',
    'writeSlots',
  ] as const) {
    (wrapped as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      await hooks.before?.(method, args);
      const result = await (inner[method] as (...a: unknown[]) => Promise<unknown>).apply(inner, args);
      if (method === 'fire' && (result as { fired: boolean }).fired) fired.push(args[1] as string);
      await hooks.after?.(method, args);
      return result;
    };
  }
  return wrapped;
}

/** A latch a hook awaits: `open()` lets the paused call go on. */
export function latch(): {
  wait: Promise<void>;
  open: () => void;
  reached: Promise<void>;
  arrive: () => void;
} {
  let open!: () => void;
  let arrive!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  const reached = new Promise<void>((r) => (arrive = r));
  return { wait, open, reached, arrive };
}
