import { describe, expect, it } from 'vitest';
import { TRIGGER_RULES } from '../../src/dag/vocabulary.ts';
import { type FinalTaskState } from '../../src/compiler/ir.ts';
import { decide, type UpstreamCounts } from '../../src/semantics/trigger-rules.ts';
import { ruleOutcome as reference } from './reference-schedule.ts';

const STATES: FinalTaskState[] = ['success', 'failed', 'skipped', 'upstream_failed'];

const countsOf = (known: FinalTaskState[], total: number): UpstreamCounts => {
  const c: UpstreamCounts = { total, success: 0, failed: 0, skipped: 0, upstream_failed: 0 };
  for (const s of known) c[s] += 1;
  return c;
};

/** Every multiset of k final states. */
function* multisets(k: number, from = 0): Generator<FinalTaskState[]> {
  if (k === 0) {
    yield [];
    return;
  }
  for (let i = from; i < STATES.length; i++)
    for (const rest of multisets(k - 1, i)) yield [STATES[i]!, ...rest];
}

describe('trigger rules', () => {
  it.each(TRIGGER_RULES)('%s: with every upstream final, decides as Airflow defines it', (rule) => {
    for (let n = 0; n <= 4; n++) {
      for (const ups of multisets(n))
        expect(decide(rule, countsOf(ups, n)), `${rule} ${ups}`).toBe(reference(rule, ups));
    }
  });

  it.each(TRIGGER_RULES)('%s: an early decision is the one every later upstream outcome leads to', (rule) => {
    let early = 0;
    for (let n = 1; n <= 4; n++) {
      for (let known = 0; known < n; known++) {
        for (const ups of multisets(known)) {
          const d = decide(rule, countsOf(ups, n));
          if (d === 'wait') continue;
          early += 1;
          for (const rest of multisets(n - known))
            expect(reference(rule, [...ups, ...rest]), `${rule} ${ups}+${rest}`).toBe(d);
        }
      }
    }
    if (rule !== 'all_done') expect(early).toBeGreaterThan(0);
  });
});
