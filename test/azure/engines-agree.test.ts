import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../src/local/engines.ts';
import type { RunTrace } from '../../src/local/simulate/trace.ts';
import { planOf } from '../compiler/aws/plan-fixture.ts';
import { RUN_SCENARIOS } from '../shared/run-scenarios.ts';
import { referenceSchedule } from './reference-schedule.ts';

const NOW = new Date('2026-01-01T00:00:00Z');
const states = (t: RunTrace): Record<string, string> =>
  Object.fromEntries(Object.entries(t.tasks).map(([id, r]) => [id, r.state]));

describe('the Durable engine and the Step Functions engine agree, states and times', () => {
  it.each(RUN_SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const plan = planOf(scenario.tasks, { max_active_tasks: scenario.max_active_tasks });
    const options = { conf: {}, fail: scenario.fail, now: NOW };
    const aws = await ENGINES.aws!.simulate(plan, options);
    const azure = await ENGINES.azure!.simulate(plan, options);
    expect(states(azure)).toEqual(states(aws));
    expect(azure.state).toBe(aws.state);
    // Both schedule at run time: the same start and end for every task, the same makespan.
    expect(aws.tasks).toEqual(azure.tasks);
    expect(aws.makespan_s).toBe(azure.makespan_s);

    // Durable adds no ordering: each task starts when its rule can decide (and a slot is free).
    const ref = referenceSchedule(plan, scenario.fail);
    for (const [id, r] of Object.entries(ref)) {
      expect(azure.tasks[id], id).toEqual({
        state: r.state,
        try_number: r.tries,
        start_s: r.start_s,
        end_s: r.end_s,
      });
    }
  });

  it('on a DAG where every task runs every upstream, the makespan is the critical path', async () => {
    for (const scenario of RUN_SCENARIOS.filter(
      (s) => s.fail.length === 0 && s.max_active_tasks === undefined,
    )) {
      const plan = planOf(scenario.tasks);
      const trace = await ENGINES.azure!.simulate(plan, { conf: {}, fail: [], now: NOW });
      expect(trace.makespan_s, scenario.name).toBe(plan.graph.critical_path.seconds);
    }
  });
});
