import type { FinalTaskState, PlanIR, TaskIR } from '../../src/compiler/ir.ts';
import type { TriggerRule } from '../../src/dag/vocabulary.ts';

/**
 * An independent reference for a simulated run: Airflow's trigger rules from their definitions.
 * A task is skipped or upstream_failed as soon as every possible outcome of its unfinished upstreams
 * leads to that answer; it runs once its rule is met: one_* on the first qualifying upstream,
 * always at once, every other rule when all upstreams are done. It starts at once when a
 * max_active_tasks slot is free (empty tasks take none), the highest priority_weight first, then
 * topological order; each try taking
 * expected_duration and failing when listed, retries waiting retry_delay (doubled when exponential,
 * capped by max_retry_delay).
 */
export interface RefTask {
  state: FinalTaskState;
  tries: number;
  start_s: number | null;
  end_s: number | null;
}

const STATES: FinalTaskState[] = ['success', 'failed', 'skipped', 'upstream_failed'];

export function ruleOutcome(rule: TriggerRule, ups: FinalTaskState[]): 'run' | 'skipped' | 'upstream_failed' {
  const any = (...s: FinalTaskState[]): boolean => ups.some((u) => s.includes(u));
  const all = (...s: FinalTaskState[]): boolean => ups.every((u) => s.includes(u));
  if (ups.length === 0) return 'run';
  switch (rule) {
    case 'all_success':
      return all('success') ? 'run' : any('failed', 'upstream_failed') ? 'upstream_failed' : 'skipped';
    case 'all_failed':
      return all('failed', 'upstream_failed') ? 'run' : 'skipped';
    case 'all_done':
    case 'always':
      return 'run';
    case 'all_done_min_one_success':
      return any('skipped') ? 'skipped' : any('success') ? 'run' : 'upstream_failed';
    case 'all_skipped':
      return all('skipped') ? 'run' : 'skipped';
    case 'one_success':
      return any('success') ? 'run' : all('skipped') ? 'skipped' : 'upstream_failed';
    case 'one_failed':
      return any('failed', 'upstream_failed') ? 'run' : 'skipped';
    case 'one_done':
      return any('success', 'failed') ? 'run' : 'skipped';
    case 'none_failed':
      return any('failed', 'upstream_failed') ? 'upstream_failed' : 'run';
    case 'none_failed_min_one_success':
      return any('failed', 'upstream_failed') ? 'upstream_failed' : any('success') ? 'run' : 'skipped';
    case 'none_skipped':
      return any('skipped') ? 'skipped' : 'run';
  }
}

function determined(
  rule: TriggerRule,
  known: FinalTaskState[],
  unknown: number,
): ReturnType<typeof ruleOutcome> | null {
  const outcomes = new Set<string>();
  const walk = (acc: FinalTaskState[], left: number): void => {
    if (outcomes.size > 1) return;
    if (left === 0) {
      outcomes.add(ruleOutcome(rule, acc));
      return;
    }
    for (const s of STATES) walk([...acc, s], left - 1);
  };
  walk(known, unknown);
  if (outcomes.size !== 1) return null;
  const outcome = [...outcomes][0] as ReturnType<typeof ruleOutcome>;
  if (outcome !== 'run' || unknown === 0 || rule === 'always') return outcome;
  const met: Partial<Record<TriggerRule, FinalTaskState[]>> = {
    one_success: ['success'],
    one_failed: ['failed', 'upstream_failed'],
    one_done: ['success', 'failed'],
  };
  return known.some((k) => met[rule]?.includes(k)) ? outcome : null;
}

function busySeconds(t: TaskIR, fails: boolean): { tries: number; seconds: number } {
  if (!fails) return { tries: 1, seconds: t.expected_duration_s };
  let seconds = 0;
  for (let n = 1; n <= t.retries + 1; n++) {
    seconds += t.expected_duration_s;
    if (n <= t.retries) {
      const d = t.retry_exponential_backoff ? t.retry_delay_s * 2 ** (n - 1) : t.retry_delay_s;
      seconds += t.max_retry_delay_s === null ? d : Math.min(d, t.max_retry_delay_s);
    }
  }
  return { tries: t.retries + 1, seconds };
}

export function referenceSchedule(plan: PlanIR, fail: readonly string[]): Record<string, RefTask> {
  const out: Record<string, RefTask> = {};
  const running = new Map<string, RefTask>();
  const queued: TaskIR[] = [];
  const decided = new Set<string>();
  const positions = new Map(plan.tasks.map((t, i) => [t, i]));
  const index = (t: TaskIR): number => positions.get(t)!;
  const empty = new Set(plan.tasks.filter((t) => t.operator === 'empty').map((t) => t.task_id));
  let now = 0;
  while (Object.keys(out).length < plan.tasks.length) {
    for (let changed = true; changed;) {
      changed = false;
      for (const t of plan.tasks) {
        if (decided.has(t.task_id)) continue;
        const known = t.upstream.filter((u) => out[u] !== undefined).map((u) => out[u]!.state);
        const d = determined(t.trigger_rule, known, t.upstream.length - known.length);
        if (d === null) continue;
        decided.add(t.task_id);
        changed = true;
        if (d === 'run') queued.push(t);
        else out[t.task_id] = { state: d, tries: 0, start_s: null, end_s: null };
      }
    }
    // Airflow's priority rule: highest priority_weight first, then topological order. An empty
    // task takes no slot (the scheduler finishes an EmptyOperator without the executor).
    queued.sort((a, b) => b.priority_weight - a.priority_weight || index(a) - index(b));
    const busy = (): number => [...running.keys()].filter((id) => !empty.has(id)).length;
    for (;;) {
      const i = queued.findIndex((t) => t.operator === 'empty' || busy() < plan.max_active_tasks);
      if (i < 0) break;
      const t = queued.splice(i, 1)[0]!;
      const fails = fail.includes(t.task_id);
      const { tries, seconds } = busySeconds(t, fails);
      running.set(t.task_id, {
        state: fails ? 'failed' : 'success',
        tries,
        start_s: now,
        end_s: now + seconds,
      });
    }
    if (running.size === 0) continue;
    now = Math.min(...[...running.values()].map((r) => r.end_s!));
    for (const [id, r] of running) {
      if (r.end_s !== now) continue;
      running.delete(id);
      out[id] = r;
    }
  }
  return out;
}
