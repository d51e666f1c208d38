import type { FinalTaskState, TriggerRule } from '../ir.ts';

/**
 * Airflow's trigger rules as Choice-state rules over the recorded states of a task's upstreams. In
 * the compiled structure every upstream has finished before the gate runs, so each rule reduces to
 * its verdict once all upstreams are done (Airflow's trigger_rule_dep with flag_upstream_failed).
 */
export type GateOutcome = 'run' | 'skipped' | 'upstream_failed';

export type ChoiceCondition =
  { Variable: string; StringEquals: string } | { Or: ChoiceCondition[] } | { And: ChoiceCondition[] };

export interface Gate {
  rules: Array<{ when: ChoiceCondition; then: GateOutcome }>;
  otherwise: GateOutcome;
}

const FAILED: FinalTaskState[] = ['failed', 'upstream_failed'];

/** Null when the task always runs: no upstream, `always` or `all_done`. */
export function triggerGate(rule: TriggerRule, upstream: readonly string[]): Gate | null {
  if (upstream.length === 0 || rule === 'always' || rule === 'all_done') return null;
  const is = (states: FinalTaskState[]): ChoiceCondition[] =>
    upstream.flatMap((u) => states.map((s) => ({ Variable: `$.tasks.${u}`, StringEquals: s })));
  const any = (states: FinalTaskState[]): ChoiceCondition => or(is(states));
  const all = (states: FinalTaskState[]): ChoiceCondition =>
    and(upstream.map((u) => or(states.map((s) => ({ Variable: `$.tasks.${u}`, StringEquals: s })))));
  switch (rule) {
    case 'all_success':
      return {
        rules: [
          { when: any(FAILED), then: 'upstream_failed' },
          { when: any(['skipped']), then: 'skipped' },
        ],
        otherwise: 'run',
      };
    case 'all_failed':
      return { rules: [{ when: all(FAILED), then: 'run' }], otherwise: 'skipped' };
    case 'all_done_min_one_success':
      return {
        rules: [
          { when: any(['skipped']), then: 'skipped' },
          { when: any(['success']), then: 'run' },
        ],
        otherwise: 'upstream_failed',
      };
    case 'all_skipped':
      return { rules: [{ when: all(['skipped']), then: 'run' }], otherwise: 'skipped' };
    case 'one_success':
      return {
        rules: [
          { when: any(['success']), then: 'run' },
          { when: all(['skipped']), then: 'skipped' },
        ],
        otherwise: 'upstream_failed',
      };
    case 'one_failed':
      return { rules: [{ when: any(FAILED), then: 'run' }], otherwise: 'skipped' };
    case 'one_done':
      return { rules: [{ when: any(['success', 'failed']), then: 'run' }], otherwise: 'skipped' };
    case 'none_failed':
      return { rules: [{ when: any(FAILED), then: 'upstream_failed' }], otherwise: 'run' };
    case 'none_failed_min_one_success':
      return {
        rules: [
          { when: any(FAILED), then: 'upstream_failed' },
          { when: all(['skipped']), then: 'skipped' },
        ],
        otherwise: 'run',
      };
    case 'none_skipped':
      return { rules: [{ when: any(['skipped']), then: 'skipped' }], otherwise: 'run' };
  }
}

const or = (conditions: ChoiceCondition[]): ChoiceCondition =>
  conditions.length === 1 ? conditions[0]! : { Or: conditions };
const and = (conditions: ChoiceCondition[]): ChoiceCondition =>
  conditions.length === 1 ? conditions[0]! : { And: conditions };
