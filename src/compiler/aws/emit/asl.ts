import { CompileRefusal } from '../../compile-refusal.ts';
import type { PlanIR, TaskIR } from '../../ir.ts';
import type { AslDefinition, AslMachine, AslState } from './asl-types.ts';
import {
  CHILD_RESOURCE,
  childSubstitution,
  RUN_FRESH_STATE,
  RUN_OUTCOME_STATE,
  RUN_RESUMED_STATE,
  RUN_START_STATE,
} from './asl-types.ts';
import { quietRunCost, quietVerdicts, worstTaskHistory } from '../limits/cost-model.ts';
import type { Structure, StructureNode } from '../structure/structure.ts';
import { planStructure } from '../structure/structure.ts';
import type { TaskContext } from './task-states.ts';
import { taskContext, taskStates } from './task-states.ts';

/**
 * IR -> Amazon States Language (JSONPath). The structure (structure.ts) becomes sequences and
 * nested Parallel states; each task becomes its own small state group (task-states.ts), with a gate
 * where the structure cannot decide it; a final Choice fails the execution when a leaf ended failed
 * or upstream_failed. Deterministic: names and order come from the IR alone.
 */
export interface AslCompilation {
  definition: AslDefinition;
  /** Child state machines by substitution name (`Child_<n>`): empty unless the DAG is split. */
  children: Record<string, AslDefinition>;
  structure: Structure;
}

/** Step Functions allows 10 nested intrinsic functions in a field; a join of k branches nests k-1 merges. */
export const MAX_BRANCHES = 10;

export function compileAsl(plan: PlanIR): AslCompilation {
  if (plan.tasks.length === 0)
    throw new CompileRefusal('a DAG needs at least one task to run on Step Functions');
  if (surelyTooLarge(plan)) return compileSplit(plan);
  const structure = planStructure(plan);
  const emitter = new Emitter(taskContext(plan, structure, TOP_RESUME));
  const states: Record<string, AslState> = {};
  const tree = unwrap(structure.tree);
  // In the gated shape every branch brings the outputs it reads itself (its path, its gates): the
  // top-level join keeps none, so no state holds every output.
  const top = structure.mode === 'gated';
  const first = tree ? emitter.emit(tree, RUN_OUTCOME_STATE, states, 0, top) : RUN_OUTCOME_STATE;
  const definition = topMachine(plan, states, first, plan.tasks);
  if (fitsOneMachine(plan, definition)) return { definition, children: {}, structure };
  return compileSplit(plan);
}

/** Where a machine's input has the resume: the top execution's, and in a child its parent's. */
const TOP_RESUME = '$$.Execution.Input.resume';
const CHILD_RESUME = '$$.Execution.Input.parent.resume';

/** The top machine; `tasks` are those it runs itself (none when it only starts children). */
function topMachine(
  plan: PlanIR,
  states: Record<string, AslState>,
  first: string,
  tasks: readonly TaskIR[],
): AslDefinition {
  Object.assign(states, outcomeStates(plan.graph.leaves));
  Object.assign(
    states,
    startStates({ run: '$.run', runKey: '$$.Execution.Id', resume: '$.resume' }, tasks, first),
  );
  return {
    Comment: `airless ${plan.dag_id} (source sha256 ${plan.source_sha256})`,
    StartAt: RUN_START_STATE,
    States: states,
  };
}

/**
 * A Choice on whether the input has a resume, then a Pass that starts the workflow state: the try
 * base of each of the machine's tasks from the resume, or 0 (a run started without one runs every
 * task from try 1). The rest of the resume stays in the input.
 */
function startStates(
  input: { run: string; runKey: string; resume: string },
  tasks: readonly TaskIR[],
  next: string,
): Record<string, AslState> {
  const start = (tryBase: Record<string, unknown>): AslState => ({
    Type: 'Pass',
    Parameters: {
      'run.$': input.run,
      'run_key.$': input.runKey,
      tasks: {},
      outputs: {},
      errors: {},
      try_base: tryBase,
      try_number: 1,
    },
    Next: next,
  });
  return {
    [RUN_START_STATE]: {
      Type: 'Choice',
      Choices: [{ Variable: input.resume, IsPresent: true, Next: RUN_RESUMED_STATE }],
      Default: RUN_FRESH_STATE,
    },
    [RUN_RESUMED_STATE]: start(
      Object.fromEntries(tasks.map((t) => [`${t.task_id}.$`, `${input.resume}.try_base.${t.task_id}`])),
    ),
    [RUN_FRESH_STATE]: start(Object.fromEntries(tasks.map((t) => [t.task_id, 0]))),
  };
}

/** Each job task's config is written twice (submit, poll); far over the budget, skip the single try. */
function surelyTooLarge(plan: PlanIR): boolean {
  let bytes = 0;
  for (const t of plan.tasks)
    bytes += (t.wait_for === null ? 1 : 2) * JSON.stringify(t.config).length + 1_500;
  return bytes > 2 * SPLIT_DEFINITION_BYTES;
}

/** Within 1 MB (minified) and, at its worst, within 25,000 history events. */
function fitsOneMachine(plan: PlanIR, definition: AslDefinition): boolean {
  if (Buffer.byteLength(JSON.stringify(definition)) > SPLIT_DEFINITION_BYTES) return false;
  const worst = plan.tasks.reduce((m, t) => Math.max(m, worstTaskHistory(t)), 0);
  return quietRunCost(plan, definition).history_events + worst < SPLIT_HISTORY_EVENTS;
}

/** Budgets of one machine, below Step Functions' limits (1 MB, 25,000 events) for the wrapping states. */
const SPLIT_DEFINITION_BYTES = 1_000_000;
const SPLIT_HISTORY_EVENTS = 24_000;

/**
 * A DAG too large for one machine: every task its own branch (gated by its upstreams), the branches
 * in topological order packed into child state machines within the budgets, and a parent that
 * runs the children at once (`states:startExecution.sync:2`, input {run, run_key, resume}) and merges
 * what they recorded. The gates work across children: their store is keyed by run_key, the top
 * execution's id.
 */
function compileSplit(plan: PlanIR): AslCompilation {
  const structure = planStructure(plan, { split: true });
  const emitter = new Emitter(taskContext(plan, structure, CHILD_RESUME));
  const worst = plan.tasks.reduce((m, t) => Math.max(m, worstTaskHistory(t)), 0);
  const verdicts = quietVerdicts(plan);
  const groups: AslMachine[][] = [];
  let group: AslMachine[] = [];
  let bytes = 0;
  let events = 0;
  for (const branch of (structure.tree as { children: StructureNode[] }).children) {
    const states: Record<string, AslState> = {};
    const machine: AslMachine = { StartAt: emitter.emit(branch, null, states, 1), States: states };
    const text = JSON.stringify(machine);
    packedText.set(machine, text);
    const size = Buffer.byteLength(text) + 200;
    const cost = quietCostOfStates(plan, states, verdicts) + 8;
    if (
      group.length > 0 &&
      (bytes + size > SPLIT_DEFINITION_BYTES || events + cost + worst >= SPLIT_HISTORY_EVENTS)
    ) {
      groups.push(group);
      group = [];
      bytes = 0;
      events = 0;
    }
    group.push(machine);
    bytes += size;
    events += cost;
  }
  if (group.length > 0) groups.push(group);
  const leafSet = new Set(plan.graph.leaves);
  const childOf = new Map<string, number>();
  groups.forEach((g, i) => g.forEach((m) => childOf.set(m.StartAt.split('.')[0]!, i)));
  const own: TaskIR[][] = groups.map(() => []);
  for (const t of plan.tasks) own[childOf.get(t.task_id)!]!.push(t);
  const children: Record<string, AslDefinition> = {};
  const calls: AslMachine[] = groups.map((g, i) => {
    const name = childSubstitution(i + 1);
    const states: Record<string, AslState> = {};
    const first =
      g.length === 1 ? single(g[0]!, states) : parallelOfMachines(g, null, states, 'dag.branches');
    Object.assign(
      states,
      startStates({ run: '$.parent.run', runKey: '$.run_key', resume: '$.parent.resume' }, own[i]!, first),
    );
    children[name] = {
      Comment: `airless ${plan.dag_id} child ${i + 1} of ${groups.length} (source sha256 ${plan.source_sha256})`,
      StartAt: RUN_START_STATE,
      States: states,
    };
    const call = `dag.child.${i + 1}`;
    // The parent's outcome reads only the leaves: a child hands back theirs, and nothing else.
    const leaves = plan.graph.leaves.filter((l) => leafSet.has(l) && childOf.get(l) === i);
    return {
      StartAt: call,
      States: {
        [call]: {
          Type: 'Task',
          Resource: CHILD_RESOURCE,
          Parameters: {
            StateMachineArn: `\${${name}}`,
            Input: { 'run_key.$': '$.run_key', 'parent.$': '$$.Execution.Input' },
          },
          ResultSelector: {
            'run.$': '$.Output.run',
            'run_key.$': '$.Output.run_key',
            tasks: Object.fromEntries(leaves.map((l) => [`${l}.$`, `$.Output.tasks.${l}`])),
            outputs: {},
            errors: {},
            try_base: {},
            try_number: 1,
          },
          End: true,
        },
      },
    };
  });
  const states: Record<string, AslState> = {};
  const first = parallelOfMachines(calls, RUN_OUTCOME_STATE, states, 'dag.children');
  const largest = Math.max(plan.graph.leaves.length, ...groups.map((g) => g.length));
  return {
    definition: topMachine(plan, states, first, []),
    children,
    structure: { ...structure, recordsPerMachine: largest },
  };
}

/** The minified JSON of each branch compileSplit packed, measured once and written as it is. */
const packedText = new WeakMap<object, string>();

/**
 * JSON.stringify(value), byte for byte, with the text of the branches compileSplit already
 * serialized reused rather than made again.
 */
export function minifiedAsl(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const packed = packedText.get(value);
  if (packed !== undefined) return packed;
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? 'null' : minifiedAsl(item))).join(',')}]`;
  const fields: string[] = [];
  for (const [key, item] of Object.entries(value))
    if (item !== undefined) fields.push(`${JSON.stringify(key)}:${minifiedAsl(item)}`);
  return `{${fields.join(',')}}`;
}

/** A machine's states inlined, ending the machine. */
function single(machine: AslMachine, states: Record<string, AslState>): string {
  Object.assign(states, machine.States);
  return machine.StartAt;
}

/** A Parallel over the given branches, nested so that no join merges more than MAX_BRANCHES. */
function parallelOfMachines(
  branches: AslMachine[],
  next: string | null,
  states: Record<string, AslState>,
  name: string,
): string {
  const groups = chunk(branches, MAX_BRANCHES).map((g, i): AslMachine => {
    if (g.length === 1) return g[0]!;
    const inner: Record<string, AslState> = {};
    return { StartAt: parallelOfMachines(g, null, inner, `${name}.${i}`), States: inner };
  });
  states[name] = {
    Type: 'Parallel',
    Branches: groups,
    ResultSelector: joinSelector(groups.length, false),
    ...(next === null ? { End: true } : { Next: next }),
  };
  return name;
}

function quietCostOfStates(
  plan: PlanIR,
  states: Record<string, AslState>,
  verdicts: ReturnType<typeof quietVerdicts>,
): number {
  return quietRunCost(plan, { Comment: '', StartAt: '', States: states }, verdicts).history_events;
}

/** A Parallel of one branch is that branch; of none, nothing. */
function unwrap(node: StructureNode): StructureNode | null {
  if (node.kind !== 'parallel') return node;
  if (node.children.length === 0) return null;
  return node.children.length === 1 ? unwrap(node.children[0]!) : node;
}

class Emitter {
  private readonly tasks: Map<string, PlanIR['tasks'][number]>;

  constructor(private readonly ctx: TaskContext) {
    this.tasks = new Map(ctx.plan.tasks.map((t) => [t.task_id, t]));
  }

  /** Adds the node's states to `states`; returns the name of its first state. */
  emit(
    node: StructureNode,
    next: string | null,
    states: Record<string, AslState>,
    depth: number,
    dropOutputs = false,
  ): string {
    switch (node.kind) {
      case 'task': {
        const group = taskStates(this.tasks.get(node.id)!, this.ctx, next);
        Object.assign(states, group.states);
        return group.start;
      }
      case 'series': {
        let following = next;
        for (let i = node.children.length - 1; i >= 0; i--) {
          following = this.emit(node.children[i]!, following, states, depth);
        }
        return following!;
      }
      case 'parallel': {
        const branches = chunk(node.children, MAX_BRANCHES).map((group): AslMachine => {
          const branch: Record<string, AslState> = {};
          const child: StructureNode = group.length === 1 ? group[0]! : { kind: 'parallel', children: group };
          const start = this.emit(child, null, branch, depth + 1, dropOutputs && group.length > 1);
          return { StartAt: start, States: branch };
        });
        const name = `fork.${depth}.${firstTask(node)}`;
        states[name] = {
          Type: 'Parallel',
          Branches: branches,
          ResultSelector: joinSelector(branches.length, !dropOutputs),
          ...(next === null ? { End: true } : { Next: next }),
        };
        return name;
      }
    }
  }
}

function firstTask(node: StructureNode): string {
  let at = node;
  while (at.kind !== 'task') at = at.children[0]!;
  return at.id;
}

/** Merges what the branches recorded; they write disjoint tasks, and agree on what they inherited. */
function joinSelector(k: number, keepOutputs = true): Record<string, unknown> {
  const merged = (field: string): string => {
    let expression = `$[0].${field}`;
    for (let i = 1; i < k; i++) expression = `States.JsonMerge(${expression}, $[${i}].${field}, false)`;
    return expression;
  };
  return {
    'run.$': '$[0].run',
    'run_key.$': '$[0].run_key',
    'tasks.$': merged('tasks'),
    ...(keepOutputs ? { 'outputs.$': merged('outputs') } : { outputs: {} }),
    'errors.$': merged('errors'),
    'try_base.$': '$[0].try_base',
    try_number: 1,
  };
}

/** Splits into at most `max` contiguous groups of nearly equal size. */
function chunk<T>(items: T[], max: number): T[][] {
  if (items.length <= max) return items.map((item) => [item]);
  const groups: T[][] = [];
  const size = Math.ceil(items.length / max);
  for (let i = 0; i < items.length; i += size) groups.push(items.slice(i, i + size));
  return groups;
}

function outcomeStates(leaves: readonly string[]): Record<string, AslState> {
  const failedLeaf = leaves.flatMap((l) =>
    ['failed', 'upstream_failed'].map((s) => ({ Variable: `$.tasks.${l}`, StringEquals: s })),
  );
  return {
    [RUN_OUTCOME_STATE]: {
      Type: 'Choice',
      Choices: [{ Or: failedLeaf, Next: 'dag.run.summary' }],
      Default: 'dag.run.succeeded',
    },
    'dag.run.summary': {
      Type: 'Pass',
      Parameters: { leaves: Object.fromEntries(leaves.map((l) => [`${l}.$`, `$.tasks.${l}`])) },
      Next: 'dag.run.cause',
    },
    'dag.run.cause': {
      Type: 'Pass',
      Parameters: {
        'cause.$': "States.Format('a leaf task failed; leaf states: {}', States.JsonToString($.leaves))",
      },
      Next: 'dag.run.failed',
    },
    'dag.run.failed': { Type: 'Fail', Error: 'DagRunFailed', CausePath: '$.cause' },
    'dag.run.succeeded': { Type: 'Succeed' },
  };
}
