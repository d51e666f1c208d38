import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FINAL_TASK_STATES, TRIGGER_RULES, type FinalTaskState } from '../../src/compiler/ir.ts';
import { decide, type UpstreamCounts } from '../../src/semantics/trigger-rules.ts';
import type { RunTrace } from '../../src/local/simulate/trace.ts';
import { runCli } from '../cli/run-cli.ts';
import { AIRFLOW_RULE_CASES, airlessOutcome, type AirflowRuleCase } from './airflow-trigger-rule-cases.ts';

/**
 * Cases per DAG on the aws engine. Main's Step Functions compiler runs out of memory on one DAG of
 * more than ~40 of these cases; once run-time scheduling (branch `sched`) replaces it, set this to
 * Infinity so the aws engine, like azure, runs every case in one DAG.
 */
const AWS_CASES_PER_DAG = 20;

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

  it(`azure engine: one DAG of every finished case (${numbered.length})`, async () => {
    expectOutcomes(await runOn('azure', 'airflow_cases', numbered), numbered);
  });

  const batches: Array<Array<[number, AirflowRuleCase]>> = [];
  for (let i = 0; i < numbered.length; i += AWS_CASES_PER_DAG)
    batches.push(numbered.slice(i, i + AWS_CASES_PER_DAG));
  it.each(batches.map((b, i) => [i, b] as const))(
    'aws engine: DAG %i of the finished cases',
    async (i, batch) => {
      expectOutcomes(await runOn('aws', `airflow_cases_${i}`, batch), batch);
    },
  );
});
