import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbGateStore } from '../../../src/aws/dynamodb-gate-store.ts';
import { EMPTY_SLOT_QUEUE, type SlotQueue } from '../../../src/handlers/gates/gate-store.ts';
import { releaseSlot, requestSlot } from '../../../src/handlers/gates/slot-queue.ts';
import { startDynamo, type LocalDynamo } from '../../shared/dynalite.ts';

/** The run's slots item at its largest for a 5,000-task DAG stays a DynamoDB item (400 KB). */
const TASKS = 5000;
const WEIGHT = -(2 ** 31); // the longest 32-bit priority_weight

function fullQueue(): SlotQueue {
  let q = EMPTY_SLOT_QUEUE;
  for (let order = 0; order < TASKS; order++) q = requestSlot(q, WEIGHT + (order % 7), order, 1);
  return q;
}

describe('the slot queue of a 5,000-task run', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startDynamo('runs');
  });
  afterAll(() => dynamo.close());

  it('orders by weight then order, and stays far below 400 KB full of waiters or of released holders', async () => {
    const waiting = fullQueue();
    expect(waiting.holders).toEqual([0]);
    expect(waiting.ready.slice(0, 3)).toEqual([
      [WEIGHT + 6, 6],
      [WEIGHT + 6, 13],
      [WEIGHT + 6, 20],
    ]);
    let drained = waiting;
    for (let i = 0; i < TASKS; i++) drained = releaseSlot(drained, drained.holders[0]!, 1);
    expect(drained.released).toHaveLength(TASKS);
    expect(drained.ready).toEqual([]);
    const store = new DynamoDbGateStore(dynamo.client, 'runs');
    for (const q of [waiting, drained]) {
      const bytes = JSON.stringify(q).length;
      expect(bytes).toBeLessThan(150_000);
      const { version } = await store.readSlots('big');
      expect(await store.writeSlots('big', q, version)).toBe(true);
      expect((await store.readSlots('big')).queue).toEqual(q);
    }
  });
});
