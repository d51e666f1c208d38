import type { FinalTaskState } from '../../../src/compiler/ir.ts';
import type { TriggerRule } from '../../../src/dag/vocabulary.ts';
import type { TaskSketch } from './plan-fixture.ts';

/**
 * An independent reference of Airflow's run semantics, written from the trigger-rule table of
 * airflow-genie-semantics.md §1.2 (trigger_rule_dep.py), not from the compiler: counts of upstream
 * states once all are done decide run / skipped / upstream_failed.
 */
export function ruleVerdict(
  rule: TriggerRule,
  upstream: FinalTaskState[],
): 'run' | 'skipped' | 'upstream_failed' {
  const n = upstream.length;
  if (n === 0) return 'run';
  const count = (s: FinalTaskState): number => upstream.filter((u) => u === s).length;
  const success = count('success');
  const failed = count('failed');
  const upstreamFailed = count('upstream_failed');
  const skipped = count('skipped');
  switch (rule) {
    case 'always':
    case 'all_done':
      return 'run';
    case 'all_done_min_one_success':
      if (skipped > 0) return 'skipped';
      return success > 0 ? 'run' : 'upstream_failed';
    case 'all_success':
      if (failed + upstreamFailed > 0) return 'upstream_failed';
      return skipped > 0 ? 'skipped' : 'run';
    case 'all_failed':
      return failed + upstreamFailed === n ? 'run' : 'skipped';
    case 'all_skipped':
      return skipped === n ? 'run' : 'skipped';
    case 'one_success':
      if (success > 0) return 'run';
      return skipped === n ? 'skipped' : 'upstream_failed';
    case 'one_failed':
      return failed + upstreamFailed > 0 ? 'run' : 'skipped';
    case 'one_done':
      return success + failed > 0 ? 'run' : 'skipped';
    case 'none_failed':
      return failed + upstreamFailed > 0 ? 'upstream_failed' : 'run';
    case 'none_failed_min_one_success':
      if (failed + upstreamFailed > 0) return 'upstream_failed';
      return skipped === n ? 'skipped' : 'run';
    case 'none_skipped':
      return skipped > 0 ? 'skipped' : 'run';
  }
}

/** Final state of every task when the tasks in `fail` fail on every try; and the run's state. */
export function referenceRun(
  tasks: Record<string, TaskSketch>,
  order: readonly string[],
  fail: ReadonlySet<string>,
): { tasks: Record<string, FinalTaskState>; run: 'success' | 'failed' } {
  const states: Record<string, FinalTaskState> = {};
  for (const id of order) {
    const t = tasks[id]!;
    const verdict = ruleVerdict(
      t.rule ?? 'all_success',
      (t.up ?? []).map((u) => states[u]!),
    );
    states[id] = verdict === 'run' ? (fail.has(id) ? 'failed' : 'success') : verdict;
  }
  const leaves = order.filter((id) => !order.some((d) => (tasks[d]!.up ?? []).includes(id)));
  const failed = leaves.some((l) => states[l] === 'failed' || states[l] === 'upstream_failed');
  return { tasks: states, run: failed ? 'failed' : 'success' };
}
