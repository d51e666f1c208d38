import type { PlanIR } from '../ir.ts';
import { formatSeconds } from '../plan-target.ts';
import type { ReportSection } from '../targets.ts';
import type { AslCompilation } from './asl.ts';
import type { AslMachine } from './asl-types.ts';
import {
  expectedPolls,
  HISTORY_LIMIT,
  PER_POLL,
  PRICE_PER_TRANSITION_USD,
  quietRunCost,
} from './cost-model.ts';
import { limitFacts, limitProblems } from './limits.ts';

/** Orderings listed one by one in the report; the rest are counted. */
const LISTED_ORDERINGS = 20;

/** The `--report` table for the aws target. */
export function aslReport(plan: PlanIR, compiled: AslCompilation): ReportSection {
  const { definition, structure } = compiled;
  const quiet = quietRunCost(plan, definition);
  const polls = plan.tasks.reduce((sum, t) => sum + expectedPolls(t), 0);
  const expected = {
    transitions: quiet.transitions + polls * PER_POLL.transitions,
    history_events: quiet.history_events + polls * PER_POLL.history_events,
  };
  const facts = limitFacts(plan, definition);
  const problems = limitProblems(facts);
  const usd = (transitions: number): string => `$${(transitions * PRICE_PER_TRANSITION_USD).toFixed(6)}`;
  const added = structure.added.map((a) => `${a.before} -> ${a.after}`);
  const rows: string[][] = [
    ['states', String(countStates(definition))],
    ['definition bytes (minified; limit 1 MB)', String(facts.definition_bytes)],
    [
      'added orderings',
      added.length === 0
        ? 'none (series-parallel, within max_active_tasks)'
        : `${added.length}: ${added.slice(0, LISTED_ORDERINGS).join(', ')}${added.length > LISTED_ORDERINGS ? ', ...' : ''}`,
    ],
    [
      'predicted slowdown (compiled / true critical path)',
      `${structure.slowdown.toFixed(3)} (${formatSeconds(structure.compiled_critical_s)} / ${formatSeconds(structure.true_critical_s)})`,
    ],
    ['transitions per run, without polls', String(quiet.transitions)],
    ['history events per run, without polls', String(quiet.history_events)],
    ['per poll', `${PER_POLL.transitions} transition, ${PER_POLL.history_events} history events`],
    [
      'per run with polls at expected_duration',
      `${polls} polls: ${expected.transitions} transitions, ${expected.history_events} history events`,
    ],
    [
      `worst-case history (limit ${HISTORY_LIMIT})`,
      facts.worst_task
        ? `${facts.worst_history_events} (task ${facts.worst_task.task_id} polling every try to execution_timeout)`
        : String(facts.worst_history_events),
    ],
    ['max state bytes (limit 256 KB)', String(facts.max_state_bytes)],
    [
      'cost per run at $0.025 / 1,000 transitions',
      `${usd(quiet.transitions)} without polls, ${usd(expected.transitions)} with`,
    ],
  ];
  if (expected.history_events >= HISTORY_LIMIT) {
    rows.push([
      'warning',
      `a run at expected durations writes ${expected.history_events} history events: split the DAG`,
    ]);
  }
  for (const p of problems) rows.push(['limit exceeded', p]);
  return { title: `aws (${plan.dag_id})`, columns: ['fact', 'value'], rows };
}

export function countStates(machine: AslMachine): number {
  return Object.values(machine.States).reduce(
    (sum, s) =>
      sum +
      1 +
      (s.Type === 'Parallel' ? (s.Branches as AslMachine[]).reduce((n, b) => n + countStates(b), 0) : 0),
    0,
  );
}
