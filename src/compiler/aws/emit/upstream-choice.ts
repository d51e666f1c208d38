import type { FinalTaskState } from '../../ir.ts';
import type { TriggerRule } from '../../../dag/vocabulary.ts';
import { FINAL_TASK_STATES } from '../../ir.ts';
import { decide, emptyCounts } from '../../../semantics/trigger-rules.ts';
import type { UpstreamCounts } from '../../../semantics/trigger-rules.ts';
import { STRUCTURAL_RULES } from '../structure/structure.ts';

/**
 * A Choice over the recorded states of a task's upstreams, for the places where the structure
 * guarantees every upstream is final when the task is reached. The verdicts come from `decide`
 * (src/semantics/trigger-rules.ts) itself, evaluated on the states the Choice can tell apart:
 * - one upstream: each of the four final states;
 * - several upstreams (structural mode only, rules of STRUCTURAL_RULES, which are decided by "some
 *   upstream failed", "all skipped", "some skipped" and "all succeeded"): one representative count
 *   per condition.
 */
export type Verdict = 'run' | 'skipped' | 'upstream_failed';

export type ChoiceCondition =
  { Variable: string; StringEquals: string } | { Or: ChoiceCondition[] } | { And: ChoiceCondition[] };

export interface UpstreamChoice {
  rules: Array<{ when: ChoiceCondition; then: Verdict }>;
  otherwise: Verdict;
}

const variable = (u: string): string => `$.tasks.${u}`;

/** Null when the task always runs once reached. */
export function upstreamChoice(rule: TriggerRule, upstream: readonly string[]): UpstreamChoice | null {
  if (upstream.length === 0 || rule === 'always') return null;
  const verdict = (counts: UpstreamCounts): Verdict => {
    const d = decide(rule, counts);
    if (d === 'wait') throw new Error(`trigger rule ${rule} cannot decide from final upstream states`);
    return d;
  };
  const with_ = (k: number, parts: Partial<Record<FinalTaskState, number>>): UpstreamCounts => ({
    ...emptyCounts(k),
    ...parts,
  });
  let candidates: Array<{ when: ChoiceCondition; then: Verdict }>;
  let otherwise: Verdict;
  if (upstream.length === 1) {
    const u = upstream[0]!;
    otherwise = verdict(with_(1, { success: 1 }));
    const by = new Map<Verdict, FinalTaskState[]>();
    for (const s of FINAL_TASK_STATES) {
      const v = verdict(with_(1, { [s]: 1 }));
      if (v !== otherwise) by.set(v, [...(by.get(v) ?? []), s]);
    }
    candidates = [...by].map(([then, states]) => ({
      when: or(states.map((s) => ({ Variable: variable(u), StringEquals: s }))),
      then,
    }));
  } else {
    if (!STRUCTURAL_RULES.has(rule)) {
      throw new Error(
        `a Choice over several upstreams is exact only for ${[...STRUCTURAL_RULES].join(', ')}`,
      );
    }
    const k = upstream.length;
    const is = (states: FinalTaskState[]): ChoiceCondition[] =>
      upstream.flatMap((u) => states.map((s) => ({ Variable: variable(u), StringEquals: s })));
    otherwise = verdict(with_(k, { success: k }));
    candidates = [
      { when: or(is(['failed', 'upstream_failed'])), then: verdict(with_(k, { failed: 1, success: k - 1 })) },
      {
        when: and(upstream.map((u) => ({ Variable: variable(u), StringEquals: 'skipped' }))),
        then: verdict(with_(k, { skipped: k })),
      },
      { when: or(is(['skipped'])), then: verdict(with_(k, { skipped: 1, success: k - 1 })) },
    ];
    while (candidates.length > 0 && candidates[candidates.length - 1]!.then === otherwise) candidates.pop();
  }
  return candidates.length === 0 ? null : { rules: candidates, otherwise };
}

const or = (conditions: ChoiceCondition[]): ChoiceCondition =>
  conditions.length === 1 ? conditions[0]! : { Or: conditions };
const and = (conditions: ChoiceCondition[]): ChoiceCondition =>
  conditions.length === 1 ? conditions[0]! : { And: conditions };
