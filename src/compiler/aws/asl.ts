import type { PlanIR } from '../ir.ts';
import type { AslDefinition, AslMachine, AslState } from './asl-types.ts';
import { RUN_OUTCOME_STATE, RUN_START_STATE } from './asl-types.ts';
import type { Structure, StructureNode } from './structure.ts';
import { planStructure } from './structure.ts';
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
  const structure = planStructure(plan);
  const emitter = new Emitter(taskContext(plan, structure));
  const states: Record<string, AslState> = {};
  const tree = unwrap(structure.tree);
  const first = tree ? emitter.emit(tree, RUN_OUTCOME_STATE, states, 0) : RUN_OUTCOME_STATE;
  Object.assign(states, outcomeStates(plan.graph.leaves));
  states[RUN_START_STATE] = {
    Type: 'Pass',
    Parameters: {
      'run.$': '$.run',
      'run_key.$': '$$.Execution.Id',
      tasks: {},
      outputs: {},
      errors: {},
      try_number: 1,
    },
    Next: first,
  };
  const definition: AslDefinition = {
    Comment: `airless ${plan.dag_id} (source sha256 ${plan.source_sha256})`,
    StartAt: RUN_START_STATE,
    States: states,
  };
  return { definition, children: {}, structure };
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
  emit(node: StructureNode, next: string | null, states: Record<string, AslState>, depth: number): string {
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
          const start = this.emit(child, null, branch, depth + 1);
          return { StartAt: start, States: branch };
        });
        const name = `fork.${depth}.${firstTask(node)}`;
        states[name] = {
          Type: 'Parallel',
          Branches: branches,
          ResultSelector: joinSelector(branches.length),
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
function joinSelector(k: number): Record<string, unknown> {
  const merged = (field: string): string => {
    let expression = `$[0].${field}`;
    for (let i = 1; i < k; i++) expression = `States.JsonMerge(${expression}, $[${i}].${field}, false)`;
    return expression;
  };
  return {
    'run.$': '$[0].run',
    'run_key.$': '$[0].run_key',
    'tasks.$': merged('tasks'),
    'outputs.$': merged('outputs'),
    'errors.$': merged('errors'),
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
