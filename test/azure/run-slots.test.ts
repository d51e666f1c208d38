import { afterEach, describe, expect, it } from 'vitest';
import { FN, runInstanceId, type RunInput, type RunResult } from '../../src/azure/contract.ts';
import { applySlotOperation, EMPTY_SLOTS, SLOT_RECHECK_S } from '../../src/azure/orchestrators/run-slots.ts';
import { openLocalDurable, type LocalDurable } from '../../src/local/azure/index.ts';
import { genieTask, planFromYaml, runOf } from './helpers.ts';

let local: LocalDurable | null = null;
afterEach(async () => {
  await local?.close();
  local = null;
});

const T0 = Date.parse('2026-01-01T00:00:00Z');
const yaml = (limit: number): string =>
  `dag_id: slots\nmax_active_runs: ${limit}\ntasks:\n  a:${genieTask('\n    expected_duration: 10m')}\n  b:${genieTask('\n    expected_duration: 5m')}\n    depends_on: [a]\n`;

async function startRuns(limit: number, runs: number): Promise<string[]> {
  const plan = planFromYaml(yaml(limit));
  local = await openLocalDurable({ clock: 'virtual', startMs: T0 });
  const ids: string[] = [];
  for (let i = 1; i <= runs; i++) {
    const id = runInstanceId(plan.dag_id, `r${i}`);
    const input: RunInput = { plan, run: runOf(plan, `r${i}`), simulate: { fail: i === 2 ? ['a'] : [] } };
    local.host.startNew(FN.run, id, input);
    ids.push(id);
  }
  return ids;
}

/** Each run's [start, end] in virtual seconds: from getting its slot to its last task's end. */
const spans = (ids: string[]): Array<[number, number]> =>
  ids.map((id) => {
    const out = local!.host.status(id)!.output as RunResult;
    return [(Date.parse(out.started_at) - T0) / 1000, (Date.parse(out.ended_at) - T0) / 1000];
  });

describe('max_active_runs through the semaphore entity', () => {
  it('runs beyond the limit wait (never dropped) and take the slot a finished or failed run releases', async () => {
    const ids = await startRuns(1, 3);
    await local!.host.runUntilIdle();
    const outcomes = ids.map((id) => (local!.host.status(id)!.output as RunResult).state);
    expect(outcomes).toEqual(['success', 'failed', 'success']);
    const s = spans(ids).sort((x, y) => x[0] - y[0]);
    // Strictly one after the other, each starting the moment the previous one released its slot.
    expect(s[1]![0]).toBe(s[0]![1]);
    expect(s[2]![0]).toBe(s[1]![1]);
    expect(local!.host.readEntity(`@${FN.slots}@slots`)).toEqual({ limit: 1, holders: [], waiters: [] });
  });

  it('with a limit of 2, two runs overlap and the third waits', async () => {
    const ids = await startRuns(2, 3);
    await local!.host.runUntilIdle();
    const s = spans(ids);
    expect(s[0]![0]).toBe(0);
    expect(s[1]![0]).toBe(0);
    expect(s[2]![0]).toBe(Math.min(s[0]![1], s[1]![1]));
  });

  it('a holder terminated from outside is reaped by the waiting run within one re-check interval', async () => {
    const ids = await startRuns(1, 2);
    // Let the first run take the slot and start.
    await local!.host.runUntilIdle(T0 + 60_000);
    expect(local!.host.status(ids[1]!)?.runtimeStatus).toBe('Running');
    // Terminated from outside the API: nothing releases its slot on its behalf.
    local!.host.terminate(ids[0]!, 'terminated by an operator');
    // Bounded: a waiter that never got the slot would re-check forever.
    await local!.host.runUntilIdle(T0 + 3_600_000);
    const second = local!.host.status(ids[1]!)!;
    expect(second.runtimeStatus).toBe('Completed');
    const [start] = spans([ids[1]!])[0]!;
    expect(start).toBeLessThanOrEqual(60 + SLOT_RECHECK_S);
  });

  it('semaphore operations: FIFO among waiters, idempotent acquire, release hands over', () => {
    let st = EMPTY_SLOTS;
    const op = (name: string, instance: string, limit?: number) => {
      const r = applySlotOperation(st, name, { instance, limit });
      st = r.state;
      return r.result;
    };
    expect(op('acquire', 'a', 1)).toBe(true);
    expect(op('acquire', 'a', 1)).toBe(true);
    expect(op('acquire', 'b', 1)).toBe(false);
    expect(op('acquire', 'c', 1)).toBe(false);
    expect(op('acquire', 'c', 1)).toBe(false);
    expect(st.waiters).toEqual(['b', 'c']);
    expect(op('release', 'a')).toBe('b');
    expect(op('acquire', 'c', 1)).toBe(false);
    expect(op('acquire', 'b', 1)).toBe(true);
    expect(op('release', 'c')).toBe(null);
    expect(st).toEqual({ limit: 1, holders: ['b'], waiters: [] });
  });
});
