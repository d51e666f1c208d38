import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRunStore } from '../../src/aws/dynamodb-run-store.ts';
import type { RunSpec } from '../../src/runs/run-store.ts';
import { type LocalDynamo, startDynamo } from '../shared/dynalite.ts';

/** DynamoDbRunStore against dynalite: the conditions that keep the queue and the slot counter safe. */
const TABLE = 'runs';
let dynamo: LocalDynamo;
let store: DynamoDbRunStore;
const spec = (dagId: string, runId: string, queuedAt = '2026-11-21T12:00:00.000Z'): RunSpec => ({
  dag_id: dagId,
  run_id: runId,
  run_type: 'manual',
  logical_date: '2026-11-21T12:00:00+00:00',
  conf: { limit: 1 },
  params: { limit: 1 },
  request_hash: 'abc',
  queued_at: queuedAt,
  execution_name: runId,
  version_arn: 'arn:aws:states:eu-west-1:1:stateMachine:m:3',
  note: null,
  backfill_id: null,
});

beforeAll(async () => {
  dynamo = await startDynamo(TABLE);
  store = new DynamoDbRunStore(dynamo.client, TABLE);
});
afterAll(async () => {
  await dynamo.close();
});

describe('DynamoDbRunStore on dynalite', () => {
  it('creates a run once; the same id again returns the stored run', async () => {
    const first = await store.createQueuedRun(spec('a', 'r1'));
    expect(first).toMatchObject({ created: true, run: { state: 'queued', executions: [] } });
    const again = await store.createQueuedRun({ ...spec('a', 'r1'), request_hash: 'other' });
    expect(again.created).toBe(false);
    expect(again.run.request_hash).toBe('abc');
    expect(await store.queueLength('a')).toBe(1);
  });

  it('20 concurrent creates of one id: one created, one queue entry', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => store.createQueuedRun(spec('b', 'same'))),
    );
    expect(outcomes.filter((o) => o.created)).toHaveLength(1);
    expect(await store.queueLength('b')).toBe(1);
  });

  it('lists a DAG’s runs only (not its queue, slots or other DAGs)', async () => {
    for (const id of ['r2', 'r3']) await store.createQueuedRun(spec('a', id));
    await store.tryAcquireSlot('a', 5);
    expect((await store.listRuns('a')).map((r) => r.run_id)).toEqual(['r1', 'r2', 'r3']);
    expect((await store.listRuns('nope')).length).toBe(0);
    await store.releaseSlot('a');
  });

  it('takes slots only below max, concurrently', async () => {
    const taken = await Promise.all(Array.from({ length: 10 }, () => store.tryAcquireSlot('c', 3)));
    expect(taken.filter(Boolean)).toHaveLength(3);
  });

  it('dequeues in acceptance order, each entry once under concurrency', async () => {
    for (const [id, at] of [
      ['q2', '2026-11-21T12:00:02.000Z'],
      ['q1', '2026-11-21T12:00:01.000Z'],
      ['q3', '2026-11-21T12:00:03.000Z'],
    ] as const)
      await store.createQueuedRun(spec('d', id, at));
    const popped = await Promise.all(Array.from({ length: 5 }, () => store.dequeueOldest('d')));
    expect(popped.filter((p) => p !== null).sort()).toEqual(['q1', 'q2', 'q3']);
    expect(await store.dequeueOldest('d')).toBeNull();
  });

  it('records every execution; only the current execution’s end ends the run, once, freeing one slot', async () => {
    await store.createQueuedRun(spec('e', 'r'));
    expect(await store.tryAcquireSlot('e', 1)).toBe(true);
    expect(await store.markRunning('e', 'r', 'arn:1', '2026-11-21T12:00:01+00:00')).toBe(true);
    expect(await store.markRunning('e', 'r', 'arn:1', '2026-11-21T12:00:01+00:00')).toBe(false);
    expect(await store.finish('e', 'r', 'failed', 'end', true, 'arn:other')).toBe(false);
    expect(await store.finish('e', 'r', 'failed', 'end1', true, 'arn:1')).toBe(true);
    expect(await store.finish('e', 'r', 'failed', 'end1', true, 'arn:1')).toBe(false);
    expect(await store.tryAcquireSlot('e', 1)).toBe(true); // the slot came back once
    await store.releaseSlot('e');

    const run = (await store.getRun('e', 'r'))!;
    expect(await store.requeue(run, 'arn:stale', { x: 1 }, '2026-11-21T13:00:00.000Z')).toBe(false);
    expect(await store.requeue(run, 'arn:1', { x: 1 }, '2026-11-21T13:00:00.000Z')).toBe(true);
    expect(await store.requeue(run, 'arn:1', { x: 1 }, '2026-11-21T13:00:00.000Z')).toBe(false);
    expect(await store.getRun('e', 'r')).toMatchObject({
      state: 'queued',
      pending_resume: { x: 1 },
      end_date: null,
      queued_at: '2026-11-21T13:00:00.000Z',
    });
    expect(await store.dequeueOldest('e')).toBe('r');
    // The first attempt's end delivered again does not end the re-run.
    expect(await store.finish('e', 'r', 'failed', 'late', false, 'arn:1')).toBe(false);
    expect(await store.markRunning('e', 'r', 'arn:2', '2026-11-21T13:00:01+00:00')).toBe(true);
    expect(await store.getRun('e', 'r')).toMatchObject({
      state: 'running',
      execution_arn: 'arn:2',
      executions: ['arn:1', 'arn:2'],
      pending_resume: null,
      start_date: '2026-11-21T13:00:01+00:00',
    });
    expect(await store.finish('e', 'r', 'success', 'end2', false, 'arn:2')).toBe(true);
    expect(await store.getRun('e', 'r')).toMatchObject({ state: 'success', end_date: 'end2' });
  });

  it('an execution that ends before its start is recorded still ends the run and is kept', async () => {
    await store.createQueuedRun(spec('f', 'r'));
    expect(await store.finish('f', 'r', 'success', 'end', false, 'arn:fast')).toBe(true);
    expect(await store.markRunning('f', 'r', 'arn:fast', 'start')).toBe(false);
    expect(await store.getRun('f', 'r')).toMatchObject({
      state: 'success',
      execution_arn: 'arn:fast',
      executions: ['arn:fast'],
    });
  });

  it('removes a queued entry only once, and a run cancelled while queued can be re-queued', async () => {
    const { run } = await store.createQueuedRun(spec('g', 'r'));
    expect(await store.removeFromQueue(run)).toBe(true);
    expect(await store.removeFromQueue(run)).toBe(false);
    expect(await store.finish('g', 'r', 'failed', 'end', false)).toBe(true);
    const cancelled = (await store.getRun('g', 'r'))!;
    expect(await store.requeue(cancelled, null, null, '2026-11-21T14:00:00.000Z')).toBe(true);
    expect(await store.queueLength('g')).toBe(1);
  });
});
