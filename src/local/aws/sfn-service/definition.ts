import { CALLBACK_RESOURCE, CHILD_RESOURCE } from '../integrations.ts';

/** The optimised Lambda integration (Task* events, the result under `Payload`). */
export const INVOKE_RESOURCE = 'arn:aws:states:::lambda:invoke';
/** AWS's own default TimeoutSeconds; the patched engine sets no timer for it (see the README). */
const AWS_DEFAULT_TIMEOUT = 99_999_999;

/** How the states of a definition lead into each other, for the history's previousEventId. */
export interface MachineShape {
  /** The states that can go to each state (Next, Default, Choices, Catch). */
  predecessors: Map<string, string[]>;
  /** The Parallel or Map state a branch state runs in. */
  container: Map<string, string>;
}

/** One Task state calling a Lambda function, under the substitution name the engine calls it by. */
export interface LambdaTask {
  state: string;
  /**
   * lambda: the function ARN as Resource (LambdaFunction* events); invoke: `lambda:invoke`
   * (Task* events, FunctionName and Payload in Parameters); callback: `lambda:invoke.waitForTaskToken`;
   * unsupported: a Resource the local service cannot run (the task fails with States.Runtime).
   */
  kind: 'lambda' | 'invoke' | 'callback' | 'unsupported';
  /** The function (lambda, callback) or the Resource (unsupported); invoke names it per call. */
  target: string;
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
}

export interface PreparedDefinition {
  /** The definition in runAsl's vocabulary: every Lambda reference a `${T<n>}` substitution. */
  definition: Record<string, unknown>;
  tasks: Map<string, LambdaTask>;
  shape: MachineShape;
  /** Task states starting child executions, with their TimeoutSeconds. */
  children: Map<string, { timeoutSeconds?: number }>;
}

type State = Record<string, unknown> & { Type: string };
interface Machine {
  StartAt: string;
  States: Record<string, State>;
}

export function prepareDefinition(text: string): PreparedDefinition {
  const definition = JSON.parse(text) as Machine & Record<string, unknown>;
  const tasks = new Map<string, LambdaTask>();
  const children: PreparedDefinition['children'] = new Map();
  const shape: MachineShape = { predecessors: new Map(), container: new Map() };
  const edge = (from: string, to: unknown) => {
    if (typeof to !== 'string') return;
    const list = shape.predecessors.get(to) ?? [];
    list.push(from);
    shape.predecessors.set(to, list);
  };
  // Malformed parts are skipped here: the engine then fails the execution on them.
  const visit = (machine: Machine | undefined, container: string | null) => {
    if (typeof machine?.States !== 'object' || machine.States === null) return;
    for (const [name, state] of Object.entries(machine.States)) {
      if (typeof state !== 'object' || state === null) continue;
      if (container !== null) shape.container.set(name, container);
      edge(name, state.Next);
      edge(name, state.Default);
      for (const list of [state.Choices, state.Catch]) {
        if (Array.isArray(list))
          for (const c of list as Array<{ Next?: unknown } | null>) edge(name, c?.Next);
      }
      const branches = Array.isArray(state.Branches) ? (state.Branches as Machine[]) : [];
      if (state.Type === 'Parallel') for (const b of branches) visit(b, name);
      if (state.Type === 'Map') visit((state.ItemProcessor ?? state.Iterator) as Machine | undefined, name);
      if (state.Type === 'Task') rewriteTask(name, state, tasks, children);
    }
  };
  visit(definition, null);
  return { definition, tasks, shape, children };
}

function rewriteTask(
  name: string,
  state: State,
  tasks: Map<string, LambdaTask>,
  children: PreparedDefinition['children'],
): void {
  const resource = String(state.Resource);
  const timing = {
    ...(typeof state.TimeoutSeconds === 'number' ? { timeoutSeconds: state.TimeoutSeconds } : {}),
    ...(typeof state.HeartbeatSeconds === 'number' ? { heartbeatSeconds: state.HeartbeatSeconds } : {}),
  };
  if (resource === CHILD_RESOURCE) {
    children.set(name, timing);
    return;
  }
  const substitution = `T${tasks.size}`;
  const params = state.Parameters as Record<string, unknown> | undefined;
  if (resource === CALLBACK_RESOURCE && typeof params?.FunctionName === 'string') {
    tasks.set(substitution, { state: name, kind: 'callback', target: params.FunctionName, ...timing });
    state.Parameters = { ...params, FunctionName: `\${${substitution}}` };
    return;
  }
  if (resource === INVOKE_RESOURCE) {
    tasks.set(substitution, { state: name, kind: 'invoke', target: resource, ...timing });
    state.TimeoutSeconds ??= AWS_DEFAULT_TIMEOUT;
  } else if (resource.startsWith('arn:aws:lambda:')) {
    tasks.set(substitution, { state: name, kind: 'lambda', target: resource, ...timing });
    state.TimeoutSeconds ??= AWS_DEFAULT_TIMEOUT;
  } else {
    tasks.set(substitution, { state: name, kind: 'unsupported', target: resource, ...timing });
  }
  state.Resource = `\${${substitution}}`;
}
