import '../polyfills.ts';
import { randomUUID } from 'node:crypto';
import * as engineModule from 'aws-local-stepfunctions';
import { ExecutionAbortedError, ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import type { RunOptions, StateMachineDefinition } from 'aws-local-stepfunctions';
import type { ChildEnd, ServiceChildDescription } from './integrations.ts';
import {
  CALLBACK_RESOURCE,
  CHILD_RESOURCE,
  childFailure,
  describeChild,
  executionArn,
  stateMachineArn,
} from './integrations.ts';
import type { LocalTaskTokens } from './task-tokens.ts';

/**
 * Runs an ASL definition in aws-local-stepfunctions (patched: see src/local/aws/README.md). Task
 * states whose Resource is a definition substitution `${Name}` call `resources[Name]` (the
 * simulator, or real handlers against emulators); the engine itself is keyed by state name, so this
 * maps one to the other. Callback tasks (`lambda:invoke.waitForTaskToken` on `${Name}`) call
 * `resources[Name]` with their Payload and park in `tokens` until completed; child executions
 * (`states:startExecution.sync:2` on `${Name}`) run `children[Name]` in the same engine with the
 * same resources and tokens. Retry and Wait delays are skipped unless `delays: 'real'`: the simulator
 * keeps virtual time, and tests should not sleep (TimeoutSeconds stays real).
 */
export type Resource = (payload: unknown, context?: EngineContext, signal?: AbortSignal) => Promise<unknown>;

/**
 * The `$$` context object the engine passes a task's resource (with `Task.Token` on callback
 * tasks), and the signal that aborts once the engine stops waiting for that attempt.
 */
export type EngineContext = Record<string, unknown> & { Task?: { Token: string } };

/**
 * Runs a `.sync:2` child execution somewhere else (the local Step Functions service) instead of in
 * this engine: its DescribeExecution once ended, or null once `signal` stopped it.
 */
export type ChildStarter = (child: {
  /** The Task state that starts it. */
  state: string;
  stateMachineArn: string;
  input: unknown;
  name: string | undefined;
  signal: AbortSignal;
}) => Promise<ServiceChildDescription | null>;

/** One engine event, as aws-local-stepfunctions reports it. */
export interface EngineEvent {
  type: string;
  state?: { name: string; type: string; input: unknown; output?: unknown };
  Error?: string;
  Cause?: unknown;
  /** The child execution's ARN, on events of child executions only. */
  execution?: string;
}

export interface RunAslOptions {
  resources: Record<string, Resource>;
  /** Where callback tasks park; needed when a definition has callback tasks. */
  tokens?: LocalTaskTokens;
  /** Child state machine definitions, by the substitution name their StateMachineArn uses. */
  children?: Record<string, unknown>;
  onEvent?: (event: EngineEvent) => void;
  delays?: 'instant' | 'real';
  /** The state machine's name in $$.StateMachine and the execution ARN. */
  name?: string;
  /** $$.Execution.Id and $$.StateMachine.Id, when not derived from `name`. */
  ids?: { execution: string; stateMachine: string };
  /** Stops the top execution: runAsl then throws (the execution was aborted). */
  signal?: AbortSignal;
  /** Child executions are started through this, by their StateMachineArn, instead of `children`. */
  startChild?: ChildStarter;
}

/** One execution of a run: the top one or a child. */
export interface ExecutionStats {
  execution_arn: string;
  state_machine: string;
  /** The execution that started this one; null for the top one. */
  parent: string | null;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  transitions: number;
  history_events: number;
}

export interface AslRunResult {
  status: 'SUCCEEDED' | 'FAILED';
  output: unknown;
  error: string | null;
  cause: string | null;
  /** State transitions as Step Functions bills them (states entered plus retries), all executions. */
  transitions: number;
  /** Events the Step Functions histories would hold (see historyEventsOf), all executions. */
  history_events: number;
  /** $$.Execution.Id of the top execution. */
  execution_arn: string;
  /** The top execution, then its children in start order, each with its own counts. */
  executions: ExecutionStats[];
}

const PLACEHOLDER_ARN = (name: string): string => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
const SUBSTITUTION = /^\$\{([A-Za-z0-9_]+)\}$/;

// Read off the namespace: an unpatched module has no such export, which a named import would not survive.
if (engineModule.AIRLESS_PATCH !== 'airless-callbacks-2') {
  throw new Error(
    `aws-local-stepfunctions carries patch ${String(engineModule.AIRLESS_PATCH)}, not airless-callbacks-2: ` +
      'run npm ci, or npx patch-package (patches/ are applied by postinstall)',
  );
}

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

/** A definition made ready for the engine once, run any number of times. */
interface Prepared {
  name: string;
  engine: StateMachine;
  plain: Map<string, Resource>;
  callbacks: Map<string, Resource>;
  children: Map<string, string>;
  instant: Record<string, number>;
}

interface Run {
  options: RunAslOptions;
  machines: Map<string, Prepared>;
  executions: ExecutionStats[];
  drains: Promise<void>[];
}

interface Outcome {
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  output: unknown;
  error: string | null;
  cause: string | null;
}

export async function runAsl(
  definition: unknown,
  input: unknown,
  options: RunAslOptions,
): Promise<AslRunResult> {
  const run: Run = { options, machines: new Map(), executions: [], drains: [] };
  const name = options.name ?? 'StateMachine';
  const top = prepare(run, name, definition);
  const arn = options.ids?.execution ?? executionArn(name, randomUUID());
  const outcome = await execute(run, top, input, arn, null, options.signal, options.ids?.stateMachine);
  for (let i = 0; i < run.drains.length; i++) await run.drains[i];
  if (outcome.status === 'ABORTED') throw new Error('the execution was aborted');
  const sum = (key: 'transitions' | 'history_events') => run.executions.reduce((n, e) => n + e[key], 0);
  return {
    status: outcome.status,
    output: outcome.output,
    error: outcome.error,
    cause: outcome.cause,
    transitions: sum('transitions'),
    history_events: sum('history_events'),
    execution_arn: arn,
    executions: run.executions,
  };
}

function prepare(run: Run, name: string, definition: unknown): Prepared {
  const def = structuredClone(definition) as StateMachineDefinition;
  const prepared: Prepared = {
    name,
    engine: new StateMachine(def, { validationOptions: { noValidate: true } }),
    plain: new Map(),
    callbacks: new Map(),
    children: new Map(),
    instant: {},
  };
  run.machines.set(name, prepared);
  const resource = (state: string, ref: unknown): [string, Resource] => {
    const match = SUBSTITUTION.exec(String(ref));
    if (!match) throw new Error(`state ${state}: Resource ${String(ref)} is not a definition substitution`);
    const found = run.options.resources[match[1]!];
    if (!found) throw new Error(`state ${state}: no resource given for \${${match[1]}}`);
    return [match[1]!, found];
  };
  forEachState(def, (stateName, state) => {
    if ('Retry' in state || state.Type === 'Wait') prepared.instant[stateName] = 0;
    if (state.Type !== 'Task') return;
    const params = (state.Parameters ?? {}) as Record<string, unknown>;
    if (state.Resource === CALLBACK_RESOURCE) {
      if (!run.options.tokens) throw new Error(`state ${stateName}: a callback task needs options.tokens`);
      prepared.callbacks.set(stateName, resource(stateName, params.FunctionName)[1]);
    } else if (state.Resource === CHILD_RESOURCE && run.options.startChild) {
      prepared.children.set(stateName, '');
    } else if (state.Resource === CHILD_RESOURCE) {
      const match = SUBSTITUTION.exec(String(params.StateMachineArn));
      if (!match) throw new Error(`state ${stateName}: StateMachineArn is not a definition substitution`);
      const child = run.options.children?.[match[1]!];
      if (!child) throw new Error(`state ${stateName}: no child definition given for \${${match[1]}}`);
      if (!run.machines.has(match[1]!)) prepare(run, match[1]!, child);
      prepared.children.set(stateName, match[1]!);
    } else {
      const [ref, found] = resource(stateName, state.Resource);
      state.Resource = PLACEHOLDER_ARN(ref);
      prepared.plain.set(stateName, found);
    }
  });
  return prepared;
}

async function execute(
  run: Run,
  machine: Prepared,
  input: unknown,
  arn: string,
  parent: string | null,
  signal?: AbortSignal,
  machineArn = stateMachineArn(machine.name),
): Promise<Outcome> {
  const stats: ExecutionStats = {
    execution_arn: arn,
    state_machine: machine.name,
    parent,
    status: 'RUNNING',
    transitions: 0,
    history_events: 0,
  };
  run.executions.push(stats);
  const execution = machine.engine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: handlers(run, machine, stats),
      parallelConcurrency: Infinity,
      ...(run.options.delays === 'real'
        ? {}
        : { retryIntervalOverrides: machine.instant, waitTimeOverrides: machine.instant }),
    },
    context: {
      Execution: { Id: arn, Name: arn.slice(arn.lastIndexOf(':') + 1) },
      StateMachine: { Id: machineArn, Name: machine.name },
    },
  });
  const stop = () => execution.abort();
  signal?.addEventListener('abort', stop, { once: true });
  const drained = (async () => {
    for await (const raw of execution.eventLogs) {
      const event = raw as unknown as EngineEvent;
      if (event.type === 'StateEntered' || event.type === 'StateRetried') stats.transitions++;
      stats.history_events += historyEventsOf(event);
      if (parent !== null) event.execution = arn;
      run.options.onEvent?.(event);
    }
  })();
  run.drains.push(drained);
  let outcome: Outcome;
  try {
    outcome = { status: 'SUCCEEDED', output: await execution.result, error: null, cause: null };
  } catch (e) {
    if (e instanceof ExecutionAbortedError) {
      outcome = { status: 'ABORTED', output: null, error: null, cause: null };
    } else if (e instanceof ExecutionError) {
      const cause = (e as Error & { cause?: { name?: string; message?: string } }).cause;
      outcome = {
        status: 'FAILED',
        output: null,
        error: cause?.name ?? 'Error',
        cause: cause?.message ?? null,
      };
    } else {
      throw e;
    }
  }
  signal?.removeEventListener('abort', stop);
  await drained;
  stats.status = outcome.status;
  return outcome;
}

/** Never settles: what a handler returns once the engine has given its task up. */
const abandoned = new Promise<never>(() => {});

function handlers(run: Run, machine: Prepared, stats: ExecutionStats): LocalHandlers {
  const out: LocalHandlers = {};
  for (const [state, resource] of machine.plain) out[state] = resource as LocalHandlers[string];
  for (const [state, resource] of machine.callbacks) {
    out[state] = async (input, context, signal) => {
      if (signal.aborted) return abandoned;
      const tokens = run.options.tokens!;
      const token = (context.Task as { Token: string }).Token;
      const outcome = tokens.park(token, signal);
      outcome.catch(() => {}); // awaited below, once the resource call is answered
      try {
        await resource((input as { Payload?: unknown }).Payload ?? null, context, signal);
        stats.history_events++; // TaskSubmitted
      } catch (e) {
        tokens.fail(token, e instanceof Error ? e : new Error(String(e)));
      }
      return (await outcome) as never;
    };
  }
  for (const [state, childName] of machine.children) {
    out[state] = async (input, _context, signal) => {
      if (signal.aborted) return abandoned;
      const params = input as { Input?: unknown; Name?: string; StateMachineArn?: string };
      const childInput = typeof params.Input === 'string' ? JSON.parse(params.Input) : (params.Input ?? {});
      if (run.options.startChild) {
        stats.history_events++; // TaskSubmitted
        const described = await run.options.startChild({
          state,
          stateMachineArn: String(params.StateMachineArn),
          input: childInput,
          name: params.Name,
          signal,
        });
        if (described === null) return abandoned;
        if (described.Status !== 'SUCCEEDED') throw childFailure(described);
        return described as never;
      }
      const name = params.Name ?? randomUUID();
      const start = Date.now();
      stats.history_events++; // TaskSubmitted: StartExecution answered
      const child = run.machines.get(childName)!;
      const outcome = await execute(
        run,
        child,
        childInput,
        executionArn(childName, name),
        stats.execution_arn,
        signal,
      );
      if (outcome.status === 'ABORTED') return abandoned;
      const end: ChildEnd = {
        machine: childName,
        name,
        input: childInput,
        start,
        ...outcome,
        status: outcome.status,
      };
      const description = describeChild(end);
      if (outcome.status === 'FAILED') throw childFailure(description);
      return description as never;
    };
  }
  return out;
}

/**
 * Maps one local engine event to the events Step Functions (Standard) writes to history:
 * a Task is entered, then each attempt is scheduled, started and succeeds or fails, then it exits;
 * a Parallel is entered, started, succeeds and exits; other states are entered and exited (a Fail
 * state only entered); the execution starts and ends. Callback and child-execution attempts also
 * write TaskSubmitted once their call is answered: runAsl counts those itself.
 */
export function historyEventsOf(event: EngineEvent): number {
  const type = event.state?.type;
  switch (event.type) {
    case 'ExecutionStarted':
    case 'ExecutionSucceeded':
    case 'ExecutionFailed':
    case 'ExecutionAborted':
    case 'ExecutionTimeout':
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

type AnyState = StateMachineDefinition['States'][string] & {
  Resource?: unknown;
  Retry?: unknown;
  Parameters?: unknown;
};

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
