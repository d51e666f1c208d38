import type { FinalTaskState, PlanIR, TaskIR } from '../ir.ts';
import type { AslDefinition, AslMachine } from './asl-types.ts';
import { countState, decide, emptyCounts } from '../../semantics/trigger-rules.ts';
import type { Verdict } from './upstream-choice.ts';
import { pollDelays, pollSchedule } from './polling.ts';
import { TRANSIENT_RETRY } from './task-states.ts';

/**
 * Transitions and history events of a compiled run, predicted from the definition with the history
 * model of src/local/aws/aws-engine.ts (historyEventsOf): Task 2 + 3 per attempt (a gate's callback
 * Task one more, TaskSubmitted), Parallel 4, other
 * states 2, execution 2. One transition per state entered and per retry. Step Functions bills
 * $0.025 per 1,000 transitions (Standard, us-east-1).
 */
export const PRICE_PER_TRANSITION_USD = 0.025 / 1000;
export const HISTORY_LIMIT = 25_000;
/** A poll is one more attempt of the poll Task: one transition, three events (scheduled, started, failed). */
export const PER_POLL = { transitions: 1, history_events: 3 } as const;

export interface RunCost {
  transitions: number;
  history_events: number;
}

/** A run where no task fails and every job is done at its first poll. */
export function quietRunCost(
  plan: PlanIR,
  definition: AslDefinition,
  verdicts: Map<string, Verdict> = quietVerdicts(plan),
): RunCost {
  const cost = { transitions: 0, history_events: 2 };
  const add = (t: number, e: number): void => {
    cost.transitions += t;
    cost.history_events += e;
  };
  const visit = (machine: AslMachine): void => {
    for (const [name, state] of Object.entries(machine.States)) {
      if (state.Type === 'Parallel') {
        add(1, 4);
        for (const branch of state.Branches as AslMachine[]) visit(branch);
        continue;
      }
      if (name.startsWith('dag.run.')) {
        if (['start', 'fresh', 'outcome', 'succeeded'].includes(name.slice(8))) add(1, 2);
        continue;
      }
      const [task, part] = name.split('.') as [string, string];
      const verdict = verdicts.get(task)!;
      const ran = verdict === 'run';
      const settledThroughDone = !ran && machine.States[`${task}.${verdict}`]?.ResultPath === '$.outcome';
      // A wait with upstreams is the task's gate; one without only asks for a slot once the task runs.
      const gated = (name: string): boolean =>
        ((machine.States[name]?.Parameters as { Payload?: { upstream: string[] } } | undefined)?.Payload
          ?.upstream.length ?? 0) > 0;
      let entered: boolean;
      switch (part) {
        case 'gate':
        case 'resume':
        case 'end':
        case 'verdict':
          entered = true;
          break;
        case 'wait':
          entered = ran || gated(name);
          break;
        case 'done':
          entered = ran || settledThroughDone;
          break;
        case 'admit':
        case 'run':
        case 'submit':
        case 'poll':
          entered = ran;
          break;
        default:
          entered = part === verdict;
      }
      // A callback Task also writes TaskSubmitted once the gate's Lambda has answered.
      if (entered) add(1, state.Type !== 'Task' ? 2 : part === 'wait' ? 6 : 5);
    }
  };
  visit(definition);
  return cost;
}

/** Each task's verdict when nothing fails: what a clean run of the DAG does. */
export function quietVerdicts(plan: PlanIR): Map<string, Verdict> {
  const final = new Map<string, FinalTaskState>();
  const verdicts = new Map<string, Verdict>();
  for (const task of plan.tasks) {
    const counts = emptyCounts(task.upstream.length);
    for (const u of task.upstream) countState(counts, final.get(u)!);
    const verdict = decide(task.trigger_rule, counts);
    if (verdict === 'wait') throw new Error(`task ${task.task_id}: undecided with every upstream final`);
    verdicts.set(task.task_id, verdict);
    final.set(task.task_id, verdict === 'run' ? 'success' : verdict);
  }
  return verdicts;
}

/** Polls after the first until a job of expected_duration is seen done, bounded by the schedule. */
export function expectedPolls(task: TaskIR): number {
  if (task.wait_for === null) return 0;
  const schedule = pollSchedule(task);
  const delay = pollDelays(schedule);
  let waited = 0;
  let polls = 0;
  while (waited < task.expected_duration_s && polls < schedule.max_retries) waited += delay(polls++);
  return polls;
}

/**
 * The most history one task can write in one run: every try runs to its last poll (or fails after
 * all transient retries), with the retry loop between tries.
 */
export function worstTaskHistory(task: TaskIR): number {
  const transient = TRANSIENT_RETRY.MaxAttempts;
  const tries = task.retries + 1;
  const call = (retries: number): number => 2 + 3 * (1 + retries);
  const perTry =
    task.wait_for === null
      ? call(transient)
      : call(transient) + call(pollSchedule(task).max_retries + transient);
  // Plus a gate: its wait (with transient retries), verdict and admit, and the end it reports.
  const gate = 2 * call(transient) + 2 + 2;
  return 2 + tries * perTry + task.retries * 6 + 2 + 2 + gate;
}
