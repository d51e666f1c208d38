import { describe, expect, it } from 'vitest';
import { compileAsl } from '../../src/compiler/aws/emit/asl.ts';
import { maxStateBytes } from '../../src/compiler/aws/limits/limits.ts';
import { TRIGGER_RULES } from '../../src/dag/vocabulary.ts';
import type { EngineEvent } from '../../src/local/aws/aws-engine.ts';
import { simulateAzure } from '../../src/local/azure/simulate.ts';
import { simulateAws } from '../../src/local/simulate/simulate-aws.ts';
import type { RunTrace } from '../../src/local/simulate/trace.ts';
import type { TaskInstanceRecord } from '../../src/runs/api/backend.ts';
import { selectCleared } from '../../src/runs/clear.ts';
import { resumeFrom } from '../../src/runs/resume.ts';
import { planOf } from '../compiler/aws/plan-fixture.ts';
import { prng, randomDag } from '../compiler/aws/random-dags.ts';

const instancesOf = (trace: RunTrace): TaskInstanceRecord[] =>
  Object.entries(trace.tasks).map(([task_id, t]) => ({
    task_id,
    state: t.state,
    try_number: t.try_number,
    start_date: null,
    end_date: null,
    tries: [],
    outputs: null,
  }));

const outcome = (trace: RunTrace): Record<string, [string, number]> =>
  Object.fromEntries(Object.entries(trace.tasks).map(([id, t]) => [id, [t.state, t.try_number]]));

/**
 * Random DAGs (every rule, caps, retries, empty tasks, failures): a run, a clear, a re-run with other
 * failures. Both engines end every task alike with the same try numbers; a kept task keeps its
 * outcome; a task run again counts its tries on from its try base; the Step Functions state stays
 * within its compile-time bound with the resume in it.
 */
describe('clear and re-run on random DAGs: both engines agree', () => {
  const random = prng(23);
  const cases = Array.from({ length: 10 }, (_, i) => {
    const tasks = randomDag(random, 6 + Math.floor(random() * 16), 0.15 + random() * 0.2);
    for (const t of Object.values(tasks)) {
      t.dur = 1 + random() * 50;
      if (random() < 0.2) t.op = 'empty';
      if (random() < 0.4) t.rule = TRIGGER_RULES[Math.floor(random() * TRIGGER_RULES.length)]!;
      if (random() < 0.3) t.retries = 1;
    }
    const ids = Object.keys(tasks);
    const fail = ids.filter(() => random() < 0.2);
    const failAgain = ids.filter(() => random() < 0.1);
    const named = random() < 0.5 ? null : ids.filter(() => random() < 0.3);
    const selection = {
      task_ids: named,
      only_failed: named === null || random() < 0.5,
      include_downstream: random() < 0.7,
      include_upstream: random() < 0.3,
    };
    const cap = 1 + Math.floor(random() * 4);
    return { name: `case ${i}: ${ids.length} tasks, cap ${cap}`, tasks, fail, failAgain, selection, cap };
  });

  it.each(cases)('$name', async (c) => {
    const plan = planOf(c.tasks, { max_active_tasks: c.cap });
    const first = await simulateAzure(plan, { conf: {}, fail: c.fail });
    const tis = instancesOf(first);
    const cleared = new Set(selectCleared(plan, tis, c.selection));
    const resume = resumeFrom(plan, tis, cleared);
    // After a finished run every task is final: it is either cleared or kept.
    expect(Object.keys(resume.prior).length + cleared.size).toBe(plan.tasks.length);

    let largest = 0;
    const onEvent = (event: EngineEvent): void => {
      for (const value of [event.state?.input, event.state?.output]) {
        if (value !== undefined) largest = Math.max(largest, Buffer.byteLength(JSON.stringify(value)));
      }
    };
    const aws = await simulateAws(plan, { conf: {}, fail: c.failAgain, resume, onEvent });
    // Full replay: the orchestrator replays its history from the start at every step, as Azure does.
    const azure = await simulateAzure(plan, { conf: {}, fail: c.failAgain, resume, replay: 'full' });
    expect(outcome(aws)).toEqual(outcome(azure));
    expect(aws.state).toBe(azure.state);
    expect(largest).toBeLessThanOrEqual(maxStateBytes(plan, compileAsl(plan).structure));

    for (const t of plan.tasks) {
      const id = t.task_id;
      const kept = resume.prior[id];
      if (kept) {
        expect(azure.tasks[id], id).toMatchObject({ state: kept.state, try_number: kept.try_number });
      } else if (azure.tasks[id]!.state === 'success' || azure.tasks[id]!.state === 'failed') {
        // Ran again (an empty task or a job): its tries continue from the earlier ones.
        expect(azure.tasks[id]!.try_number, id).toBeGreaterThan(resume.try_base[id]!);
        expect(azure.tasks[id]!.try_number, id).toBeLessThanOrEqual(resume.try_base[id]! + t.retries + 1);
      }
    }
  });
});

describe('clear and re-run of a DAG split into child state machines', () => {
  it('hands the resume to every child; both engines agree', async () => {
    const random = prng(5);
    const tasks = randomDag(random, 240, 0.02);
    for (const t of Object.values(tasks)) t.dur = 1 + random() * 100;
    const plan = planOf(tasks, { max_active_tasks: 6 });
    for (const t of plan.tasks) t.config = { job_name: `${t.task_id}-{{ run_id }}`, args: 'x'.repeat(2_500) };
    expect(Object.keys(compileAsl(plan).children).length).toBeGreaterThan(1);
    const first = await simulateAzure(plan, { conf: {}, fail: ['t010', 't050', 't200'] });
    const tis = instancesOf(first);
    const cleared = selectCleared(plan, tis, {
      task_ids: null,
      only_failed: true,
      include_downstream: true,
      include_upstream: false,
    });
    expect(cleared.length).toBeGreaterThan(3);
    const resume = resumeFrom(plan, tis, new Set(cleared));
    const aws = await simulateAws(plan, { conf: {}, fail: [], resume });
    const azure = await simulateAzure(plan, { conf: {}, fail: [], resume });
    expect(outcome(aws)).toEqual(outcome(azure));
    expect(aws.state).toBe('success');
    expect(aws.tasks.t050!.try_number).toBe(first.tasks.t050!.try_number + 1);
  });
});
