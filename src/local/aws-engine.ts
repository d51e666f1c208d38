import './polyfills.ts';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import type { RunOptions, StateMachineDefinition } from 'aws-local-stepfunctions';

/**
 * Runs an ASL definition in aws-local-stepfunctions. Task states whose Resource is a definition
 * substitution `${Name}` call `resources[Name]` (the simulator, or real handlers against emulators);
 * the engine itself is keyed by state name, so this maps one to the other. Retry and Wait delays are
 * skipped unless `delays: 'real'`: the simulator keeps virtual time, and tests should not sleep.
 */
export type Resource = (payload: unknown) => Promise<unknown>;

/** One engine event, as aws-local-stepfunctions reports it. */
export interface EngineEvent {
  type: string;
  state?: { name: string; type: string; input: unknown; output?: unknown };
  Error?: string;
  Cause?: unknown;
}

export interface RunAslOptions {
  resources: Record<string, Resource>;
  onEvent?: (event: EngineEvent) => void;
  delays?: 'instant' | 'real';
}

export interface AslRunResult {
  status: 'SUCCEEDED' | 'FAILED';
  output: unknown;
  error: string | null;
  cause: string | null;
  /** State transitions as Step Functions bills them: states entered plus retries. */
  transitions: number;
  /** Events the execution's Step Functions history would hold (see historyEventsOf). */
  history_events: number;
}

const PLACEHOLDER_ARN = (name: string): string => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
const SUBSTITUTION = /^\$\{([A-Za-z0-9_]+)\}$/;

export async function runAsl(
  definition: unknown,
  input: unknown,
  options: RunAslOptions,
): Promise<AslRunResult> {
  const def = structuredClone(definition) as StateMachineDefinition;
  type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
  const handlers: LocalHandlers = {};
  const instant: Record<string, number> = {};
  forEachState(def, (name, state) => {
    if ('Retry' in state || state.Type === 'Wait') instant[name] = 0;
    if (state.Type !== 'Task') return;
    const match = SUBSTITUTION.exec(String(state.Resource));
    if (!match)
      throw new Error(`state ${name}: Resource ${String(state.Resource)} is not a definition substitution`);
    const resource = options.resources[match[1]!];
    if (!resource) throw new Error(`state ${name}: no resource given for \${${match[1]}}`);
    state.Resource = PLACEHOLDER_ARN(match[1]!);
    handlers[name] = resource as LocalHandlers[string];
  });
  const machine = new StateMachine(def, { validationOptions: { noValidate: true } });
  const realDelays = options.delays === 'real';
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: handlers,
      ...(realDelays ? {} : { retryIntervalOverrides: instant, waitTimeOverrides: instant }),
    },
  });
  let transitions = 0;
  let history = 0;
  const drained = (async () => {
    for await (const raw of execution.eventLogs) {
      const event = raw as unknown as EngineEvent;
      if (event.type === 'StateEntered' || event.type === 'StateRetried') transitions++;
      history += historyEventsOf(event);
      options.onEvent?.(event);
    }
  })();
  let result: Omit<AslRunResult, 'transitions' | 'history_events'>;
  try {
    result = { status: 'SUCCEEDED', output: await execution.result, error: null, cause: null };
  } catch (e) {
    if (!(e instanceof ExecutionError)) throw e;
    const cause = (e as Error & { cause?: { name?: string; message?: string } }).cause;
    result = { status: 'FAILED', output: null, error: cause?.name ?? 'Error', cause: cause?.message ?? null };
  }
  await drained;
  return { ...result, transitions, history_events: history };
}

/**
 * Maps one local engine event to the events Step Functions (Standard) writes to history:
 * a Task is entered, then each attempt is scheduled, started and succeeds or fails, then it exits;
 * a Parallel is entered, started, succeeds and exits; other states are entered and exited (a Fail
 * state only entered); the execution starts and ends.
 */
export function historyEventsOf(event: EngineEvent): number {
  const type = event.state?.type;
  switch (event.type) {
    case 'ExecutionStarted':
    case 'ExecutionSucceeded':
    case 'ExecutionFailed':
      return 1;
    case 'StateEntered':
      return type === 'Task' ? 4 : type === 'Parallel' ? 2 : 1;
    case 'StateRetried':
      return type === 'Task' ? 3 : 0;
    case 'StateExited':
      return type === 'Parallel' ? 2 : 1;
    default:
      return 0;
  }
}

type AnyState = StateMachineDefinition['States'][string] & { Resource?: unknown; Retry?: unknown };

function forEachState(machine: StateMachineDefinition, visit: (name: string, state: AnyState) => void): void {
  for (const [name, state] of Object.entries(machine.States)) {
    visit(name, state as AnyState);
    if (state.Type === 'Parallel')
      for (const b of state.Branches) forEachState(b as StateMachineDefinition, visit);
    if (state.Type === 'Map') {
      const inner = state.ItemProcessor ?? state.Iterator;
      if (inner) forEachState(inner as StateMachineDefinition, visit);
    }
  }
}
