import { describe, expect, it } from 'vitest';
import { TRIGGER_RULES } from '../../src/dag/vocabulary.ts';
import { ENGINES } from '../../src/local/engines.ts';
import { planOf } from '../compiler/aws/plan-fixture.ts';
import { prng, randomDag } from '../compiler/aws/random-dags.ts';
import { referenceSchedule } from './reference-schedule.ts';

const NOW = new Date('2026-01-01T00:00:00Z');

/** A random DAG with random trigger rules, retries, failing tasks and sometimes a task cap. */
function randomCase(seed: number) {
  const random = prng(seed);
  const tasks = randomDag(random, 6 + Math.floor(random() * 14), 0.25);
  for (const t of Object.values(tasks)) {
    if (random() < 0.4) t.rule = TRIGGER_RULES[Math.floor(random() * TRIGGER_RULES.length)];
    if (random() < 0.2) t.retries = 1 + Math.floor(random() * 2);
    if (random() < 0.15) t.op = 'empty';
  }
  const fail = Object.keys(tasks).filter(() => random() < 0.2);
  const cap = random() < 0.3 ? 1 + Math.floor(random() * 3) : undefined;
  return { plan: planOf(tasks, { max_active_tasks: cap }), fail };
}

describe('random DAGs on the Durable engine', () => {
  it('every task starts and ends exactly when the independent reference says, in the state it says', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const { plan, fail } = randomCase(seed);
      const trace = await ENGINES.azure!.simulate(plan, { conf: {}, fail, now: NOW });
      const ref = referenceSchedule(plan, fail);
      for (const [id, r] of Object.entries(ref)) {
        expect(trace.tasks[id], `seed ${seed} task ${id}`).toEqual({
          state: r.state,
          try_number: r.tries,
          start_s: r.start_s,
          end_s: r.end_s,
        });
      }
      for (const t of plan.tasks) {
        const mine = trace.tasks[t.task_id]!;
        if (mine.start_s === null) continue;
        for (const up of t.upstream) {
          const u = trace.tasks[up]!;
          // Only rules that run on the first qualifying upstream (and always) may start early.
          if (
            !['one_success', 'one_failed', 'one_done', 'always'].includes(t.trigger_rule) &&
            u.end_s !== null
          ) {
            expect(mine.start_s, `seed ${seed}: ${t.task_id} before ${up}`).toBeGreaterThanOrEqual(u.end_s);
          }
        }
      }
    }
  });

  it('the Step Functions engine reaches the same final states', async () => {
    for (let seed = 100; seed < 106; seed++) {
      const { plan, fail } = randomCase(seed);
      const options = { conf: {}, fail, now: NOW };
      const [aws, azure] = [
        await ENGINES.aws!.simulate(plan, options),
        await ENGINES.azure!.simulate(plan, options),
      ];
      const states = (t: typeof aws) =>
        Object.fromEntries(Object.entries(t.tasks).map(([k, v]) => [k, v.state]));
      expect(states(azure), `seed ${seed}`).toEqual(states(aws));
      expect(azure.state).toBe(aws.state);
    }
  });
});
