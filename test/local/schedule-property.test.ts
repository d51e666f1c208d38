import { describe, expect, it } from 'vitest';
import { TRIGGER_RULES } from '../../src/dag/vocabulary.ts';
import { compileAsl } from '../../src/compiler/aws/emit/asl.ts';
import { maxStateBytes } from '../../src/compiler/aws/limits/limits.ts';
import { aslProblems } from '../../src/compiler/aws/emit/validate.ts';
import type { EngineEvent } from '../../src/local/aws/aws-engine.ts';
import { simulateAws } from '../../src/local/simulate/simulate-aws.ts';
import type { TaskSketch } from '../compiler/aws/plan-fixture.ts';
import { planOf } from '../compiler/aws/plan-fixture.ts';
import { prng, randomDag } from '../compiler/aws/random-dags.ts';
import { referenceSchedule } from '../azure/reference-schedule.ts';

/**
 * The Step Functions engine against an independent reference (greedy list scheduling with
 * Airflow's trigger rules and priority rule, test/azure/reference-schedule.ts) on random DAGs
 * with caps, empty tasks, failures and rules. Durations are not whole numbers, so no two events
 * fall on one instant (the reference takes an instant as one batch; see instant-gates.ts).
 */
describe('Step Functions runs schedule like Airflow (random DAGs, caps, priorities)', () => {
  const random = prng(11);
  const cases = Array.from({ length: 16 }, (_, i) => {
    const tasks = randomDag(random, 8 + Math.floor(random() * 22), 0.1 + random() * 0.2);
    for (const t of Object.values(tasks)) {
      t.dur = 1 + random() * 100;
      if (random() < 0.25) t.op = 'empty';
      if (random() < 0.4) t.rule = TRIGGER_RULES[Math.floor(random() * TRIGGER_RULES.length)]!;
      if (random() < 0.3) t.weight = Math.floor(random() * 10);
    }
    const ids = Object.keys(tasks);
    const fail = ids.filter(() => random() < 0.1);
    const cap = 1 + Math.floor(random() * 4);
    return { name: `case ${i}: ${ids.length} tasks, cap ${cap}, failing ${fail.length}`, tasks, fail, cap };
  });

  it.each(cases)('$name: every start, end and state as the reference, the same makespan', async (c) => {
    const plan = planOf(c.tasks, { max_active_tasks: c.cap });
    expect(aslProblems(compileAsl(plan).definition)).toEqual([]);
    const trace = await simulateAws(plan, { conf: {}, fail: c.fail });
    const ref = referenceSchedule(plan, c.fail);
    let makespan = 0;
    for (const [id, r] of Object.entries(ref)) {
      const t = trace.tasks[id]!;
      expect({ id, state: t.state }).toEqual({ id, state: r.state });
      if (r.start_s === null) continue;
      expect(t.start_s, `${id} start`).toBeCloseTo(r.start_s, 6);
      expect(t.end_s, `${id} end`).toBeCloseTo(r.end_s!, 6);
      makespan = Math.max(makespan, r.end_s!);
    }
    expect(trace.makespan_s).toBeCloseTo(makespan, 6);
  });
});

/** A root, then `layers` layers of two tasks, each fully connected to the layer before. */
function ladder(layers: number, rule: (i: number) => TaskSketch['rule']): Record<string, TaskSketch> {
  const tasks: Record<string, TaskSketch> = { root: { dur: 10 } };
  let previous = ['root'];
  for (let i = 1; i <= layers; i++) {
    const layer = [`x${i}`, `y${i}`];
    layer.forEach((id, k) => {
      tasks[id] = {
        up: previous,
        rule: rule(2 * i + k),
        dur: 5,
        retries: i % 5 === 0 ? 1 : 0,
        reads: previous,
      };
    });
    previous = layer;
  }
  return tasks;
}

describe('the workflow state stays within its compile-time bound (adversarial DAGs)', () => {
  const shapes: Array<[string, Record<string, TaskSketch>, string[]]> = [
    ['ladder of 24 layers, failed root, all_success', ladder(24, () => 'all_success'), ['root']],
    ['ladder of 24 layers, failed root, every rule', ladder(24, (i) => TRIGGER_RULES[i % 11]), ['root']],
    [
      'ladder of 24 layers, every rule, failures in the middle',
      ladder(24, (i) => TRIGGER_RULES[(i * 7) % 11]),
      ['x3', 'y9', 'x15'],
    ],
  ];

  it.each(shapes)('%s', async (_name, tasks, fail) => {
    const plan = planOf(tasks, { max_active_tasks: 1 });
    const bound = maxStateBytes(plan, compileAsl(plan).structure);
    let largest = 0;
    const onEvent = (event: EngineEvent): void => {
      for (const value of [event.state?.input, event.state?.output]) {
        if (value === undefined) continue;
        largest = Math.max(largest, Buffer.byteLength(JSON.stringify(value)));
      }
    };
    const trace = await simulateAws(plan, { conf: {}, fail, onEvent });
    expect(Object.keys(trace.tasks)).toHaveLength(49);
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThanOrEqual(bound);
    // Linear in tasks: the old clock arrays grew as 2^layers here.
    expect(bound).toBeLessThan(49 * 3_000 + 40_000);
  });
});

describe('a DAG too large for one state machine', () => {
  it('runs as a parent with child executions, gates across them, the same schedule as the reference', async () => {
    const random = prng(5);
    const tasks = randomDag(random, 240, 0.02);
    for (const t of Object.values(tasks)) t.dur = 1 + random() * 100;
    const plan = planOf(tasks, { max_active_tasks: 6 });
    for (const t of plan.tasks) t.config = { job_name: `${t.task_id}-{{ run_id }}`, args: 'x'.repeat(2_500) };
    const compiled = compileAsl(plan);
    const children = Object.values(compiled.children);
    expect(children.length).toBeGreaterThan(1);
    for (const machine of [compiled.definition, ...children]) {
      expect(aslProblems(machine)).toEqual([]);
      expect(Buffer.byteLength(JSON.stringify(machine))).toBeLessThanOrEqual(1_048_576);
    }
    const fail = ['t010', 't050'];
    const trace = await simulateAws(plan, { conf: {}, fail });
    const ref = referenceSchedule(plan, fail);
    for (const [id, r] of Object.entries(ref)) {
      expect(trace.tasks[id]!.state, id).toBe(r.state);
      if (r.start_s !== null) expect(trace.tasks[id]!.start_s, id).toBeCloseTo(r.start_s, 6);
    }
  });
});
