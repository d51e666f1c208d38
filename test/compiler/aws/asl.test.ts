import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AslMachine, AslState } from '../../../src/compiler/aws/emit/asl-types.ts';
import { TASK_HANDLER_RESOURCE } from '../../../src/compiler/aws/emit/asl-types.ts';
import { compileAsl, MAX_BRANCHES, minifiedAsl } from '../../../src/compiler/aws/emit/asl.ts';
import { PER_POLL, quietRunCost } from '../../../src/compiler/aws/limits/cost-model.ts';
import { assertWithinLimits } from '../../../src/compiler/aws/limits/limits.ts';
import { PollingUnboundedError } from '../../../src/compiler/aws/emit/polling.ts';
import { aslReport } from '../../../src/compiler/aws/limits/report.ts';
import { awsTarget } from '../../../src/compiler/aws/target.ts';
import { buildIr } from '../../../src/compiler/build-ir.ts';
import { loadDag } from '../../../src/dag/validate.ts';
import { generateDagYaml } from '../../../bench/generate-dag.ts';
import { simulateChecked } from './checked-simulation.ts';
import { planOf } from './plan-fixture.ts';

const EXAMPLES = ['flink_wordcount', 'movielens_genie', 'flink_app_lifecycle'];

function example(id: string) {
  const file = `dags/${id}.yaml`;
  const text = readFileSync(file, 'utf8');
  const { dag, diagnostics } = loadDag(text, file);
  expect(diagnostics).toEqual([]);
  return buildIr(dag!, text);
}

function allStates(machine: AslMachine): Array<[string, AslState]> {
  return Object.entries(machine.States).flatMap(([name, state]) => [
    [name, state] as [string, AslState],
    ...(state.Type === 'Parallel' ? (state.Branches as AslMachine[]).flatMap(allStates) : []),
  ]);
}

describe.each(EXAMPLES)('dags/%s.yaml compiled to ASL', (id) => {
  it('equals test/golden and statemachines/ byte for byte', () => {
    const produced = awsTarget.emit(example(id));
    const golden = `test/golden/${id}.asl.json`;
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, produced);
    expect(produced).toBe(readFileSync(golden, 'utf8'));
    expect(readFileSync(`statemachines/${id}.asl.json`, 'utf8')).toBe(produced);
  });

  it('passes asl-validator and runs to success in aws-local-stepfunctions, as the report predicts', async () => {
    const plan = example(id);
    const trace = await simulateChecked(plan);
    expect(trace.state).toBe('success');
    const report = new Map(aslReport(plan, compileAsl(plan)).rows.map(([k, v]) => [k, v]));
    expect(report.get('per run with polls at expected_duration')).toContain(
      `${trace.transitions} transitions, ${trace.history_events} history events`,
    );
  });
});

describe('compiled definitions', () => {
  const plan = planOf({
    a: { retries: 2, exponential: true },
    b: { op: 'empty', retries: 1 },
    c: { up: ['a'], reads: ['a'], rule: 'one_failed' },
    d: { up: ['a', 'b'], rule: 'none_failed_min_one_success' },
    e: { up: ['c', 'd'], rule: 'all_done' },
  });

  it('names states uniquely, at most 80 characters, after their task ids', () => {
    const names = allStates(compileAsl(plan).definition).map(([n]) => n);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n.length).toBeLessThanOrEqual(80);
    for (const t of plan.tasks)
      expect(names.filter((n) => n.startsWith(`${t.task_id}.`)).length).toBeGreaterThan(0);
    const long = 'x'.repeat(64);
    const longNames = allStates(
      compileAsl(planOf({ [long]: { rule: 'all_success' }, y: { up: [long] } })).definition,
    );
    for (const [n] of longNames) expect(n.length).toBeLessThanOrEqual(80);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(compileAsl(plan).definition)).toBe(
      JSON.stringify(compileAsl(structuredClone(plan)).definition),
    );
  });

  it('calls the handler through the definition substitution, with a timeout, retrying only named errors', () => {
    const tasks = allStates(compileAsl(plan).definition).filter(
      ([, s]) => s.Type === 'Task' && s.Resource === TASK_HANDLER_RESOURCE,
    );
    expect(tasks.length).toBe(4 * 2 + 1); // submit and poll per job task, one call for the empty one
    for (const [, s] of tasks) {
      expect(s.TimeoutSeconds).toBeGreaterThan(0);
      for (const r of s.Retry as Array<{ ErrorEquals: string[] }>)
        expect(r.ErrorEquals).not.toContain('States.ALL');
    }
    const poll = Object.fromEntries(tasks)['a.poll']!;
    expect((poll.Retry as unknown[])[0]).toEqual({
      ErrorEquals: ['StillRunning'],
      IntervalSeconds: 15,
      BackoffRate: 2,
      MaxDelaySeconds: 300,
      // 15+30+60+120+240 = 465 s, then 300 s per poll up to execution_timeout 3600 s: 5 + 11.
      MaxAttempts: 16,
      JitterStrategy: 'NONE',
    });
  });

  it('splits a fan-out wider than 10 into nested Parallel states (10 nested intrinsics at most)', () => {
    const wide = planOf(
      Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`t${i}`, { op: 'empty' as const }])),
      {
        max_active_tasks: 100,
      },
    );
    const parallels = allStates(compileAsl(wide).definition).filter(([, s]) => s.Type === 'Parallel');
    expect(parallels.length).toBeGreaterThan(1);
    for (const [, p] of parallels) expect((p.Branches as unknown[]).length).toBeLessThanOrEqual(MAX_BRANCHES);
  });

  it('predicts transitions and history of a run without polls exactly as the engine counts them', async () => {
    const quiet = planOf(
      {
        a: { dur: 0 },
        b: { op: 'empty' },
        c: { up: ['a'], dur: 0 },
        d: { up: ['a', 'b'], dur: 0, rule: 'one_failed' },
      },
      { max_active_tasks: 1 },
    );
    const trace = await simulateChecked(quiet);
    expect(trace.tasks.d!.state).toBe('skipped');
    expect(quietRunCost(quiet, compileAsl(quiet).definition)).toEqual({
      transitions: trace.transitions,
      history_events: trace.history_events,
    });
    const polled = structuredClone(quiet);
    polled.tasks.find((t) => t.task_id === 'c')!.expected_duration_s = 50; // polls at 0, 15, 45, 105 s
    const withPolls = await simulateChecked(polled);
    expect(withPolls.transitions - trace.transitions).toBe(3 * PER_POLL.transitions);
    expect(withPolls.history_events - trace.history_events).toBe(3 * PER_POLL.history_events);
  });
});

describe('Step Functions limits', () => {
  it('refuses a job task without execution_timeout: its polling would be unbounded', () => {
    const plan = planOf({ a: {} });
    plan.tasks[0]!.execution_timeout_s = null;
    expect(() => compileAsl(plan)).toThrow(PollingUnboundedError);
  });

  it('refuses polling that could overflow the 25,000-event history, naming the task', () => {
    const plan = planOf({ a: { retries: 3 }, b: {} }, { execution_timeout_s: 7 * 86_400 });
    for (const t of plan.tasks) t.max_poke_interval_s = 15;
    expect(() => assertWithinLimits(plan, compileAsl(plan).definition)).toThrow(
      /task a can write \d+ history events/,
    );
  });

  it("compiles a 1,000-task DAG reading 371 outputs: a re-run's kept outputs stay in the execution input", () => {
    const text = generateDagYaml({ tasks: 1_000, seed: 1 });
    const { dag } = loadDag(text, 'bench_1000.yaml');
    const ir = buildIr(dag!, text);
    const compiled = compileAsl(ir);
    expect(() =>
      assertWithinLimits(ir, compiled.definition, compiled.children, compiled.structure),
    ).not.toThrow();
    // Split: the bundle reuses each branch's text from packing, byte for byte JSON.stringify's.
    expect(Object.keys(compiled.children).length).toBeGreaterThan(1);
    for (const machine of [compiled.definition, ...Object.values(compiled.children)])
      expect(minifiedAsl(machine)).toBe(JSON.stringify(machine));
  });

  it('refuses a task whose own states are over 1 MB (no split can hold it) and reports it', () => {
    const big = planOf({ t0: {}, t1: { up: ['t0'] } });
    for (const t of big.tasks) t.config = { args: 'x'.repeat(600_000) };
    const compiled = compileAsl(big);
    expect(() => assertWithinLimits(big, compiled.definition, compiled.children)).toThrow(
      /definition is \d+ bytes, over the 1 MB/,
    );
    expect(aslReport(big, compiled).rows.some(([k]) => k === 'limit exceeded')).toBe(true);
  });
});
