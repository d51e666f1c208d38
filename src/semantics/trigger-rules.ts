import type { FinalTaskState } from '../compiler/ir.ts';
import type { TriggerRule } from '../dag/vocabulary.ts';

/** What a trigger rule makes of a task: run it, settle it without running, or wait for more upstreams. */
export type RuleDecision = 'run' | 'skipped' | 'upstream_failed' | 'wait';

export interface UpstreamCounts {
  /** Number of direct upstreams. */
  total: number;
  success: number;
  failed: number;
  skipped: number;
  upstream_failed: number;
}

export const emptyCounts = (total: number): UpstreamCounts => ({
  total,
  success: 0,
  failed: 0,
  skipped: 0,
  upstream_failed: 0,
});

export function countState(counts: UpstreamCounts, state: FinalTaskState): void {
  counts[state] += 1;
}

/**
 * Airflow's trigger rules (trigger_rule_dep with flag_upstream_failed), decided as early as the
 * upstream states already known fix the answer: once decided, no later upstream can change it.
 * A task without upstreams always runs (Airflow: the dependency is met trivially).
 */
export function decide(rule: TriggerRule, c: UpstreamCounts): RuleDecision {
  if (c.total === 0) return 'run';
  const done = c.success + c.failed + c.skipped + c.upstream_failed;
  const allDone = done === c.total;
  const failures = c.failed + c.upstream_failed;
  switch (rule) {
    case 'all_success':
      if (failures > 0) return 'upstream_failed';
      // Airflow skips at the first skip while no failure is known yet, so a later failure's order
      // decides its outcome; waiting makes it depend on final states only (README: trigger rules).
      if (!allDone) return 'wait';
      return c.skipped > 0 ? 'skipped' : 'run';
    case 'all_failed':
      if (c.success + c.skipped > 0) return 'skipped';
      return allDone ? 'run' : 'wait';
    case 'all_done':
      return allDone ? 'run' : 'wait';
    case 'all_done_min_one_success':
      if (c.skipped > 0) return 'skipped';
      if (!allDone) return 'wait';
      return c.success > 0 ? 'run' : 'upstream_failed';
    case 'all_skipped':
      if (c.success + failures > 0) return 'skipped';
      return allDone ? 'run' : 'wait';
    case 'one_success':
      if (c.success > 0) return 'run';
      if (!allDone) return 'wait';
      return c.skipped === c.total ? 'skipped' : 'upstream_failed';
    case 'one_failed':
      if (failures > 0) return 'run';
      return allDone ? 'skipped' : 'wait';
    case 'one_done':
      if (c.success + c.failed > 0) return 'run';
      return allDone ? 'skipped' : 'wait';
    case 'none_failed':
      if (failures > 0) return 'upstream_failed';
      return allDone ? 'run' : 'wait';
    case 'none_failed_min_one_success':
      if (failures > 0) return 'upstream_failed';
      if (!allDone) return 'wait';
      return c.skipped === c.total ? 'skipped' : 'run';
    case 'none_skipped':
      if (c.skipped > 0) return 'skipped';
      return allDone ? 'run' : 'wait';
    case 'always':
      return 'run';
  }
}
