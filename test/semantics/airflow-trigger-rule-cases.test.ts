import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FINAL_TASK_STATES, type FinalTaskState } from '../../src/compiler/ir.ts';
import { TRIGGER_RULES } from '../../src/dag/vocabulary.ts';
import { decide, type UpstreamCounts } from '../../src/semantics/trigger-rules.ts';
import type { RunTrace } from '../../src/local/simulate/trace.ts';
import { ENGINES } from '../../src/local/engines.ts';
import { runCli } from '../cli/run-cli.ts';
import { planOf } from '../compiler/aws/plan-fixture.ts';
import { AIRFLOW_RULE_CASES, airlessOutcome, type AirflowRuleCase } from './airflow-trigger-rule-cases.ts';

const count = (c: AirflowRuleCase, s: FinalTaskState | 'pending'): number => c.up[s] ?? 0;

const countsOf = (c: AirflowRuleCase): UpstreamCounts => {
  const counts: UpstreamCounts = {
    total: count(c, 'pending'),
    success: 0,
    failed: 0,
    skipped: 0,
    upstream_failed: 0,
  };
  for (const s of FINAL_TASK_STATES) {
    counts[s] = count(c, s);
    counts.total += counts[s];
  }
  return counts;
};

const finished = AIRFLOW_RULE_CASES.filter((c) => count(c, 'pending') === 0);
const taskOf = (i: number): string => `case_${i}`;

/**
 * One DAG holding `cases`, all tasks `empty`: per final state a pool of source tasks ending in it
 * (success: plain; failed: on the --fail list; skipped: all_failed over a success; upstream_failed:
 * all_success over a failure), and per case a task with its rule over the sources it needs.
 */
function dagOf(dagId: string, cases: Array<[number, AirflowRuleCase]>): { yaml: string; fail: string[] } {
  const tasks: Record<string, Record<string, unknown>> = {
    ok: { operator: 'empty' },
    bad: { operator: 'empty' },
  };
  const fail = ['bad'];
  for (const s of FINAL_TASK_STATES) {
    const pool = Math.max(0, ...cases.map(([, c]) => count(c, s)));
    for (let n = 0; n < pool; n++) {
      const source = `${s}_${n}`;
      if (s === 'failed') fail.push(source);
      tasks[source] =
        s === 'skipped'
          ? { operator: 'empty', depends_on: ['ok'], trigger_rule: 'all_failed' }
          : s === 'upstream_failed'
            ? { operator: 'empty', depends_on: ['bad'] }
            : { operator: 'empty' };
    }
  }
  for (const [i, c] of cases) {
    const depends_on = FINAL_TASK_STATES.flatMap((s) =>
      Array.from({ length: count(c, s) }, (_, n) => `${s}_${n}`),
    );
    tasks[taskOf(i)] = { operator: 'empty', depends_on, trigger_rule: c.rule };
  }
  // JSON is YAML: the file goes through the same loader as any DAG.
  return { yaml: JSON.stringify({ dag_id: dagId, max_active_tasks: 1000, tasks }, null, 1), fail };
}

const dir = mkdtempSync(join(tmpdir(), 'airless-airflow-cases-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runOn(
  engine: string,
  dagId: string,
  cases: Array<[number, AirflowRuleCase]>,
): Promise<RunTrace> {
  const { yaml, fail } = dagOf(dagId, cases);
  const file = join(dir, `${dagId}.yaml`);
  const trace = join(dir, `${dagId}.trace.json`);
  writeFileSync(file, yaml);
  const result = await runCli(
    'run',
    file,
    '--simulate',
    '--engine',
    engine,
    '--fail',
    fail.join(','),
    '--trace',
    trace,
  );
  expect(result.stderr).toBe('');
  return JSON.parse(readFileSync(trace, 'utf8')) as RunTrace;
}

function expectOutcomes(trace: RunTrace, cases: Array<[number, AirflowRuleCase]>): void {
  for (const s of FINAL_TASK_STATES) {
    if (trace.tasks[`${s}_0`]) expect(trace.tasks[`${s}_0`]!.state, `source ${s}_0`).toBe(s);
  }
  const got = cases.map(([i, c]) => ({ from: c.from, state: trace.tasks[taskOf(i)]!.state }));
  const want = cases.map(([, c]) => {
    const outcome = airlessOutcome(c);
    return { from: c.from, state: outcome === 'run' ? 'success' : outcome };
  });
  expect(got).toEqual(want);
}

describe("Airflow's trigger-rule tests", () => {
  it('cover every rule of the format', () => {
    expect([...new Set(AIRFLOW_RULE_CASES.map((c) => c.rule))].sort()).toEqual([...TRIGGER_RULES].sort());
  });

  it.each(AIRFLOW_RULE_CASES.map((c) => [c.from, c] as const))('decide: %s', (_from, c) => {
    expect(decide(c.rule, countsOf(c))).toBe(airlessOutcome(c));
  });

  it("a marked case gives an outcome other than Airflow's, and why", () => {
    for (const c of AIRFLOW_RULE_CASES.filter((x) => x.airless)) {
      expect(c.airless!.outcome, c.from).not.toBe(c.airflow);
      expect(c.airless!.why.length, c.from).toBeGreaterThan(0);
    }
  });

  const numbered = finished.map((c, i): [number, AirflowRuleCase] => [i, c]);

  it.each(['azure', 'aws'])(
    `%s engine: one DAG holding every finished case (${numbered.length})`,
    async (engine) => {
      expectOutcomes(await runOn(engine, `airflow_cases_${engine}`, numbered), numbered);
    },
  );
});

describe('the one deliberate difference: all_success decides on final states only', () => {
  // Airflow would skip `skip_first` (its skipped upstream ends at 10 s, the failure at 600 s) and
  // make `fail_first` upstream_failed; airless gives both the outcome of their final states.
  const plan = planOf({
    ok: { dur: 10 },
    slow: { dur: 600 },
    early_skip: { up: ['ok'], rule: 'all_failed' },
    late_skip: { up: ['slow'], rule: 'all_failed' },
    early_fail: { dur: 10 },
    late_fail: { dur: 600 },
    skip_first: { up: ['early_skip', 'late_fail'], dur: 5 },
    fail_first: { up: ['early_fail', 'late_skip'], dur: 5 },
  });

  it.each(['azure', 'aws'])('%s engine: upstream_failed in either order', async (engine) => {
    const trace = await ENGINES[engine]!.simulate(plan, { conf: {}, fail: ['early_fail', 'late_fail'] });
    expect(trace.tasks.early_skip).toMatchObject({ state: 'skipped' });
    expect(trace.tasks.ok!.end_s).toBeLessThan(trace.tasks.late_fail!.end_s!);
    expect(trace.tasks.early_fail!.end_s).toBeLessThan(trace.tasks.slow!.end_s!);
    expect(trace.tasks.skip_first!.state).toBe('upstream_failed');
    expect(trace.tasks.fail_first!.state).toBe('upstream_failed');
  });
});
