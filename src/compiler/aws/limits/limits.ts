import { OUTPUT_FIELD_BUDGET_BYTES } from '../../../dag/operators/outputs.ts';
import { CompileRefusal } from '../../compile-refusal.ts';
import type { PlanIR } from '../../ir.ts';
import type { AslDefinition } from '../emit/asl-types.ts';
import { HISTORY_LIMIT, quietRunCost, quietVerdicts, worstTaskHistory } from './cost-model.ts';
import type { Structure } from '../structure/structure.ts';
import { readFields } from '../emit/task-states.ts';

/**
 * Step Functions' hard limits, checked at compile time: the definition (1 MB, measured minified as
 * deployment sends it), the state passed between states (256 KB), and one execution's history
 * (25,000 events). State size is bounded from the records the ASL writes, assuming each upstream
 * output field a template reads is at most OUTPUT_FIELD_BUDGET bytes (only those fields are kept) and
 * a trigger conf of at most CONF_BUDGET bytes.
 */
export const DEFINITION_LIMIT_BYTES = 1_048_576;
export const STATE_LIMIT_BYTES = 262_144;
export const CONF_BUDGET_BYTES = 16_384;
/** An error Cause carried until the task's record is written. */
const CAUSE_BUDGET_BYTES = 4_096;

export interface LimitFacts {
  definition_bytes: number;
  max_state_bytes: number;
  /** The task whose polling and retries can write the most history, and how much. */
  worst_task: { task_id: string; history_events: number } | null;
  /** A clean run plus that worst task at its worst. */
  worst_history_events: number;
}

export class AslLimitError extends CompileRefusal {
  constructor(
    readonly dagId: string,
    readonly problems: string[],
  ) {
    super(
      `${dagId}: the compiled state machine would break Step Functions limits:\n  ${problems.join('\n  ')}`,
    );
    this.name = 'AslLimitError';
  }
}

/**
 * `bytes`: the minified size of the definition and of each child (in `children` order), when the
 * caller has them; measured here otherwise.
 */
export function limitFacts(
  plan: PlanIR,
  definition: AslDefinition,
  children: Record<string, AslDefinition> = {},
  structure?: Structure,
  bytes?: readonly number[],
): LimitFacts {
  // Each execution has its own history: the largest one counts (a child's, when the DAG is split).
  const machines = [definition, ...Object.values(children)];
  const verdicts = quietVerdicts(plan);
  const quiet = machines
    .map((m) => quietRunCost(plan, m, verdicts))
    .reduce((a, b) => (b.history_events > a.history_events ? b : a));
  let worst: LimitFacts['worst_task'] = null;
  for (const task of plan.tasks) {
    const events = worstTaskHistory(task);
    if (!worst || events > worst.history_events) worst = { task_id: task.task_id, history_events: events };
  }
  return {
    definition_bytes: Math.max(...(bytes ?? machines.map((m) => Buffer.byteLength(JSON.stringify(m))))),
    max_state_bytes: maxStateBytes(plan, structure),
    worst_task: worst,
    worst_history_events: quiet.history_events + (worst?.history_events ?? 0),
  };
}

export function limitProblems(facts: LimitFacts): string[] {
  const problems: string[] = [];
  if (facts.definition_bytes > DEFINITION_LIMIT_BYTES) {
    problems.push(
      `definition is ${facts.definition_bytes} bytes, over the 1 MB (${DEFINITION_LIMIT_BYTES}) limit; split the DAG`,
    );
  }
  if (facts.max_state_bytes > STATE_LIMIT_BYTES) {
    problems.push(
      `workflow state can reach ${facts.max_state_bytes} bytes, over the 256 KB (${STATE_LIMIT_BYTES}) limit; ` +
        'split the DAG or read fewer upstream outputs',
    );
  }
  if (facts.worst_history_events >= HISTORY_LIMIT) {
    const w = facts.worst_task!;
    problems.push(
      `task ${w.task_id} can write ${w.history_events} history events (every try polling until execution_timeout), ` +
        `${facts.worst_history_events} with the rest of the run, over the ${HISTORY_LIMIT}-event limit; lower its ` +
        'execution_timeout or retries, raise poke_interval / max_poke_interval, or split the DAG',
    );
  }
  return problems;
}

export function assertWithinLimits(
  plan: PlanIR,
  definition: AslDefinition,
  children: Record<string, AslDefinition> = {},
  structure?: Structure,
  bytes?: readonly number[],
): LimitFacts {
  const facts = limitFacts(plan, definition, children, structure, bytes);
  const problems = limitProblems(facts);
  if (problems.length > 0) throw new AslLimitError(plan.dag_id, problems);
  return facts;
}

/**
 * In the gated shape the top-level join keeps no outputs, so a state holds at most the outputs of
 * one top-level branch: those its tasks record and those its gates bring. The largest such set.
 */
function largestBranchOutputs(
  plan: PlanIR,
  structure: Structure,
  fields: ReadonlyMap<string, readonly string[]>,
): string[] {
  const reads = new Map(plan.tasks.map((t) => [t.task_id, t.reads.map((r) => r.task)]));
  const gated = new Set(structure.gated);
  const top = structure.tree.kind === 'parallel' ? structure.tree.children : [structure.tree];
  let best: string[] = [];
  let bestSize = -1;
  for (const branch of top) {
    const held = new Set<string>();
    const stack = [branch];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.kind !== 'task') {
        stack.push(...node.children);
        continue;
      }
      if (fields.has(node.id)) held.add(node.id);
      if (gated.has(node.id)) for (const r of reads.get(node.id)!) held.add(r);
    }
    const size = [...held].reduce((n, t) => n + fields.get(t)!.length, 0);
    if (size > bestSize) {
      bestSize = size;
      best = [...held].sort();
    }
  }
  return best;
}

/** $$.Execution.Id of the top execution: an ARN, far below this. */
const RUN_KEY_BUDGET_BYTES = 2_048;
/** A try number as a re-run's resume writes it: far beyond any run's tries. */
const TRY_BUDGET = 999_999_999;
/** Error names recorded per failed task: the handlers' vocabulary and States.* names, all shorter. */
const ERROR_NAME_BUDGET = 'x'.repeat(64);

/**
 * An upper bound of the workflow state, linear in tasks: every task recorded in its longest state
 * with the longest error name, every read output field at its budget (twice: in `outputs` and in
 * a gate's verdict on its way there), a try base per task, the run with its conf budget, and the
 * largest scratch. A re-run's resume is read from the execution input, not carried.
 */
export function maxStateBytes(plan: PlanIR, structure?: Structure): number {
  const fields = readFields(plan);
  const held =
    structure?.mode === 'gated' ? largestBranchOutputs(plan, structure, fields) : [...fields.keys()];
  const outputs = Object.fromEntries(
    held.map((t) => [t, Object.fromEntries(fields.get(t)!.map((name) => [name, '']))]),
  );
  const params = Object.fromEntries(Object.entries(plan.params).map(([k, p]) => [k, p.default ?? null]));
  // A split DAG's executions each record at most recordsPerMachine tasks: the longest ids count.
  const recorded =
    structure?.recordsPerMachine === undefined
      ? plan.tasks
      : [...plan.tasks]
          .sort((a, b) => b.task_id.length - a.task_id.length)
          .slice(0, structure.recordsPerMachine);
  const state = {
    run: {
      dag_id: plan.dag_id,
      run_id: 'x'.repeat(128),
      logical_date: new Date(0).toISOString(),
      conf: {},
      params,
    },
    run_key: 'x'.repeat(RUN_KEY_BUDGET_BYTES),
    tasks: Object.fromEntries(recorded.map((t) => [t.task_id, 'upstream_failed'])),
    outputs,
    errors: Object.fromEntries(recorded.map((t) => [t.task_id, ERROR_NAME_BUDGET])),
    // A re-run's try base of each task the machine runs (the rest of the resume stays in the input).
    try_base: Object.fromEntries(recorded.map((t) => [t.task_id, TRY_BUDGET])),
    try_number: 1,
    // A gate's verdict carries the outputs it brings until <id>.admit merges them.
    gate: { verdict: 'upstream_failed', outputs },
    delay_s: 86_400,
    submitted: {
      job: {
        operator: 'flink.hdinsight',
        job_name: 'x'.repeat(128),
        job_id: 'x'.repeat(64),
        handle: {},
        submitted_at: '',
      },
    },
    error: { Error: 'ServiceUnavailable', Cause: '' },
    outcome: { state: { [plan.dag_id]: 'success' }, error: {}, output: {} },
  };
  return (
    Buffer.byteLength(JSON.stringify(state)) +
    2 * held.reduce((n, t) => n + fields.get(t)!.length, 0) * OUTPUT_FIELD_BUDGET_BYTES +
    CONF_BUDGET_BYTES +
    CAUSE_BUDGET_BYTES
  );
}
