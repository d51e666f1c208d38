import type { SlotQueue } from './gate-store.ts';

/**
 * The max_active_tasks queue of one run, as pure steps (each returns the same object when nothing
 * changes, so the caller skips the write). Airflow's rule: when slots are short, the ready task
 * with the highest priority_weight goes first, then the lower topological order.
 */

const ahead = (a: readonly [number, number], b: readonly [number, number]): boolean =>
  a[0] > b[0] || (a[0] === b[0] && a[1] < b[1]);

/** Grants free slots to the best ready tasks. */
function grant(q: SlotQueue, cap: number): SlotQueue {
  if (q.holders.length >= cap || q.ready.length === 0) return q;
  const n = Math.min(cap - q.holders.length, q.ready.length);
  const granted = q.ready.slice(0, n).map((r) => r[1]);
  return {
    ready: q.ready.slice(n),
    holders: [...q.holders, ...granted],
    unsent: [...q.unsent, ...granted],
    released: q.released,
  };
}

/** A task whose rule decided 'run' asks for a slot (again, on a retry: then nothing changes). */
export function requestSlot(q: SlotQueue, priorityWeight: number, order: number, cap: number): SlotQueue {
  const known =
    q.holders.includes(order) || q.released.includes(order) || q.ready.some((r) => r[1] === order);
  if (known) return grant(q, cap);
  const entry: [number, number] = [priorityWeight, order];
  let lo = 0;
  let hi = q.ready.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ahead(q.ready[mid]!, entry)) lo = mid + 1;
    else hi = mid;
  }
  const ready = [...q.ready.slice(0, lo), entry, ...q.ready.slice(lo)];
  return grant({ ...q, ready }, cap);
}

/** A holder gives its slot back (once: a repeated release changes nothing); the best ready task gets it. */
export function releaseSlot(q: SlotQueue, order: number, cap: number): SlotQueue {
  if (!q.holders.includes(order)) return grant(q, cap);
  return grant(
    {
      ready: q.ready,
      holders: q.holders.filter((h) => h !== order),
      unsent: q.unsent.filter((h) => h !== order),
      released: [...q.released, order],
    },
    cap,
  );
}

/** The verdicts of these holders were sent. */
export function markSlotsSent(q: SlotQueue, orders: readonly number[]): SlotQueue {
  const done = new Set(orders);
  if (!q.unsent.some((o) => done.has(o))) return q;
  return { ...q, unsent: q.unsent.filter((o) => !done.has(o)) };
}
