import type { PlanIR } from '../../ir.ts';
import type { ReportSection } from '../../target.ts';
import type { AslCompilation } from '../emit/asl.ts';
import type { AslMachine } from '../emit/asl-types.ts';
import {
  expectedPolls,
  HISTORY_LIMIT,
  PER_POLL,
  PRICE_PER_TRANSITION_USD,
  quietRunCost,
} from './cost-model.ts';
import { limitFacts, limitProblems } from './limits.ts';

/** The `--report` table for the aws target. */
export function aslReport(plan: PlanIR, compiled: AslCompilation): ReportSection {
  const { definition, structure } = compiled;
  const quiet = quietRunCost(plan, definition);
  const polls = plan.tasks.reduce((sum, t) => sum + expectedPolls(t), 0);
  const expected = {
    transitions: quiet.transitions + polls * PER_POLL.transitions,
    history_events: quiet.history_events + polls * PER_POLL.history_events,
  };
  const facts = limitFacts(plan, definition, compiled.children, structure);
  const childCount = Object.keys(compiled.children).length;
  const problems = limitProblems(facts);
  const usd = (transitions: number): string => `$${(transitions * PRICE_PER_TRANSITION_USD).toFixed(6)}`;
  const jobs = plan.tasks.filter((t) => t.operator !== 'empty').length;
  const rows: string[][] = [
    ['states', String(countStates(definition))],
    ['definition bytes (minified, largest machine; limit 1 MB)', String(facts.definition_bytes)],
    [
      'structure',
      structure.mode === 'structural'
        ? 'structural: series-parallel nested Parallel states, exact without gates'
        : `gated: ${structure.gated.length} of ${plan.tasks.length} tasks wait at a gate for their trigger rule`,
    ],
    [
      'max_active_tasks',
      structure.slots
        ? `${plan.max_active_tasks}: binds (${jobs} job tasks, up to ${structure.width} at once); every job task asks a gate for a slot, highest priority_weight first`
        : `${plan.max_active_tasks}: never binds (${jobs} job tasks, at most ${structure.width} at once)`,
    ],
    [
      'state machines',
      childCount === 0
        ? '1'
        : `${childCount + 1}: a parent starting ${childCount} child machines at once (states:startExecution.sync:2), every task gated, tasks packed in topological order within 1 MB and 25,000 events each`,
    ],
    [
      'gate calls per run (waits + ends)',
      String([definition, ...Object.values(compiled.children)].reduce((n, m) => n + gateCalls(m), 0)),
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

function gateCalls(machine: AslMachine): number {
  return Object.entries(machine.States).reduce(
    (sum, [name, s]) =>
      sum +
      (name.endsWith('.wait') || name.endsWith('.end') ? 1 : 0) +
      (s.Type === 'Parallel' ? (s.Branches as AslMachine[]).reduce((n, b) => n + gateCalls(b), 0) : 0),
    0,
  );
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
