import { ExecutionTimeoutError } from 'aws-local-stepfunctions';
import type { ChildStarter, EngineContext, Resource } from '../aws-engine.ts';
import { runAsl } from '../aws-engine.ts';
import type { ServiceChildDescription } from '../integrations.ts';
import type { PreparedDefinition, LambdaTask } from './definition.ts';
import type { ExecutionHistory } from './history.ts';
import {
  abandonedOn,
  type CallFailure,
  callFunction,
  engineError,
  invokeResult,
  type LambdaFunction,
  notFound,
} from './lambda-calls.ts';
import type { ServiceTokens } from './tokens.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export interface Outcome {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  output?: string;
  error?: string;
  cause?: string;
}

/** A child execution the service started for a `.sync:2` task. */
export interface StartedChild {
  executionArn: string;
  startDate: number;
  /** Its DescribeExecution as `.sync:2` returns it, once it ended. */
  ended: Promise<ServiceChildDescription>;
}

export interface RunnerDeps {
  resolve: (ref: string) => LambdaFunction | undefined;
  tokens: ServiceTokens;
  delays: 'real' | 'instant';
  region: string;
  startChild: (stateMachineArn: string, input: unknown, name: string | undefined) => StartedChild;
  stopChild: (executionArn: string) => Promise<void>;
}

export interface RunningExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: unknown;
  /** Aborts the engine; set `stopping` first so the tasks it abandons write nothing. */
  stop: AbortController;
  stopping: boolean;
}

/** Lets the engine's queued events reach the history before a task writes its own. */
const flushed = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const NO_TRUNCATION = { truncated: false };

/**
 * Runs one execution in the local engine (runAsl) and writes its history: the engine's state
 * events, and for each Lambda or child-execution task the Task or LambdaFunction events AWS writes.
 */
export async function runExecution(
  deps: RunnerDeps,
  prepared: PreparedDefinition,
  history: ExecutionHistory,
  execution: RunningExecution,
): Promise<Outcome> {
  const resources: Record<string, Resource> = {};
  for (const [substitution, task] of prepared.tasks) {
    resources[substitution] = taskResource(deps, history, execution, task);
  }
  try {
    const result = await runAsl(prepared.definition, execution.input, {
      resources,
      tokens: deps.tokens,
      delays: deps.delays,
      name: execution.stateMachineArn.slice(execution.stateMachineArn.lastIndexOf(':') + 1),
      ids: { execution: execution.executionArn, stateMachine: execution.stateMachineArn },
      signal: execution.stop.signal,
      startChild: childStarter(deps, history, execution, prepared.children),
      onEvent: (event) => history.engine(event),
    });
    return result.status === 'SUCCEEDED'
      ? { status: 'SUCCEEDED', output: JSON.stringify(result.output ?? null) }
      : { status: 'FAILED', error: result.error ?? '', cause: result.cause ?? '' };
  } catch (error) {
    if (execution.stop.signal.aborted) return { status: 'ABORTED' };
    if (error instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT', error: 'States.Timeout' };
    return {
      status: 'FAILED',
      error: 'States.Runtime',
      cause: error instanceof Error ? error.message : String(error),
    };
  }
}

function taskResource(
  deps: RunnerDeps,
  history: ExecutionHistory,
  execution: RunningExecution,
  task: LambdaTask,
): Resource {
  const { state } = task;
  const timing = {
    ...(task.timeoutSeconds !== undefined ? { timeoutInSeconds: task.timeoutSeconds } : {}),
    ...(task.heartbeatSeconds !== undefined ? { heartbeatInSeconds: task.heartbeatSeconds } : {}),
  };
  const fail = (type: string, failure: CallFailure, extra: Record<string, unknown> = {}): never => {
    history.task(state, type, { ...extra, error: failure.error, cause: failure.cause });
    throw engineError(failure);
  };
  // The engine gives an attempt up when its TimeoutSeconds passed (the engine's timers are real
  // time), when the execution stops, or when a sibling branch failed; only the first is an event.
  const timedOut = (began: number, type: string, extra: Record<string, unknown> = {}): void => {
    if (!execution.stopping && timeoutPassed(began, task.timeoutSeconds)) {
      history.task(state, type, { ...extra, error: 'States.Timeout' });
    }
  };

  if (task.kind === 'lambda') {
    return async (payload, _context, signal) => {
      const began = Date.now();
      await flushed();
      history.task(state, 'LambdaFunctionScheduled', {
        resource: task.target,
        input: JSON.stringify(payload ?? null),
        inputDetails: NO_TRUNCATION,
        ...(task.timeoutSeconds !== undefined ? { timeoutInSeconds: task.timeoutSeconds } : {}),
      });
      const fn = deps.resolve(task.target);
      if (!fn) return fail('LambdaFunctionStartFailed', notFound(task.target));
      history.task(state, 'LambdaFunctionStarted', null);
      const outcome = await callFunction(fn, payload, signal);
      if (outcome.kind === 'failed') return fail('LambdaFunctionFailed', outcome.failure);
      if (outcome.kind === 'abandoned') return timedOut(began, 'LambdaFunctionTimedOut');
      history.task(state, 'LambdaFunctionSucceeded', { output: outcome.text, outputDetails: NO_TRUNCATION });
      return outcome.value;
    };
  }

  const resource = task.kind === 'callback' ? 'invoke.waitForTaskToken' : 'invoke';
  const on = { resourceType: 'lambda', resource };
  const scheduled = (parameters: unknown) => {
    history.task(state, 'TaskScheduled', {
      ...on,
      region: deps.region,
      parameters: JSON.stringify(parameters),
      ...timing,
    });
    history.task(state, 'TaskStarted', on);
  };

  if (task.kind === 'invoke') {
    return async (params, _context, signal) => {
      const began = Date.now();
      await flushed();
      scheduled(params);
      const ref = String((params as { FunctionName?: unknown }).FunctionName);
      const fn = deps.resolve(ref);
      if (!fn) return fail('TaskFailed', notFound(ref), on);
      const outcome = await callFunction(fn, (params as { Payload?: unknown }).Payload, signal);
      if (outcome.kind === 'failed') return fail('TaskFailed', outcome.failure, on);
      if (outcome.kind === 'abandoned') return timedOut(began, 'TaskTimedOut', on);
      const result = invokeResult(outcome.value);
      history.task(state, 'TaskSucceeded', {
        ...on,
        output: JSON.stringify(result),
        outputDetails: NO_TRUNCATION,
      });
      return result;
    };
  }

  if (task.kind === 'callback') {
    return async (payload, context?: EngineContext, signal?: AbortSignal) => {
      const began = Date.now();
      const token = context?.Task?.Token;
      const parked = token === undefined ? undefined : deps.tokens.take(token);
      await flushed();
      scheduled({ FunctionName: task.target, Payload: payload });
      const fn = deps.resolve(task.target);
      if (!fn) return fail('TaskFailed', notFound(task.target), on);
      const outcome = await callFunction(fn, payload, signal);
      if (outcome.kind === 'failed') return fail('TaskFailed', outcome.failure, on);
      if (outcome.kind === 'abandoned' || !parked || !signal) return timedOut(began, 'TaskTimedOut', on);
      history.task(state, 'TaskSubmitted', {
        ...on,
        output: JSON.stringify(invokeResult(outcome.value)),
        outputDetails: NO_TRUNCATION,
      });
      const settled = await Promise.race([
        parked.then(
          (value) => ({ kind: 'succeeded' as const, value }),
          (error: Error) => ({ kind: 'failed' as const, error }),
        ),
        abandonedOn(signal),
      ]);
      if (settled.kind === 'abandoned') return timedOut(began, 'TaskTimedOut', on);
      if (settled.kind === 'failed') {
        history.task(state, 'TaskFailed', { ...on, error: settled.error.name, cause: settled.error.message });
      } else {
        history.task(state, 'TaskSucceeded', {
          ...on,
          output: JSON.stringify(settled.value ?? null),
          outputDetails: NO_TRUNCATION,
        });
      }
      return null; // runAsl ends the task with the token's outcome
    };
  }

  return async () => {
    await flushed();
    return fail('TaskFailed', {
      error: 'States.Runtime',
      cause: `the local Step Functions service cannot run Resource ${task.target}`,
    });
  };
}

/** Whether a task's TimeoutSeconds has passed since `began` (a timer may fire a little early). */
const timeoutPassed = (began: number, seconds: number | undefined): boolean =>
  seconds !== undefined && Date.now() - began >= seconds * 1000 - 50;

function childStarter(
  deps: RunnerDeps,
  history: ExecutionHistory,
  execution: RunningExecution,
  children: PreparedDefinition['children'],
): ChildStarter {
  const on = { resourceType: 'states', resource: 'startExecution.sync:2' };
  return async ({ state, stateMachineArn, input, name, signal }) => {
    const began = Date.now();
    await flushed();
    history.task(state, 'TaskScheduled', {
      ...on,
      region: deps.region,
      parameters: JSON.stringify({
        StateMachineArn: stateMachineArn,
        Input: input,
        ...(name ? { Name: name } : {}),
      }),
    });
    history.task(state, 'TaskStarted', on);
    let child: StartedChild;
    try {
      child = deps.startChild(stateMachineArn, input, name);
    } catch (error) {
      const type = (error as { type?: string }).type ?? 'States.Runtime';
      const failure = { error: `StepFunctions.${type}Exception`, cause: (error as Error).message };
      history.task(state, 'TaskFailed', { ...on, ...failure });
      throw engineError(failure);
    }
    history.task(state, 'TaskSubmitted', {
      ...on,
      output: JSON.stringify({ ExecutionArn: child.executionArn, StartDate: child.startDate }),
      outputDetails: NO_TRUNCATION,
    });
    const ended = await Promise.race([child.ended, abandonedOn(signal)]);
    if ('kind' in ended) {
      await deps.stopChild(child.executionArn);
      if (!execution.stopping && timeoutPassed(began, children.get(state)?.timeoutSeconds)) {
        history.task(state, 'TaskTimedOut', { ...on, error: 'States.Timeout' });
      }
      return null;
    }
    if (ended.Status === 'SUCCEEDED') {
      history.task(state, 'TaskSucceeded', {
        ...on,
        output: JSON.stringify(ended),
        outputDetails: NO_TRUNCATION,
      });
    } else {
      history.task(state, 'TaskFailed', { ...on, error: 'States.TaskFailed', cause: JSON.stringify(ended) });
    }
    return ended;
  };
}
