import { TASK_RETRYABLE_ERRORS, TRANSIENT_ERRORS } from '../../errors.ts';
import type { PlanIR, TaskIR } from '../ir.ts';
import type { AslState } from './asl-types.ts';
import { TASK_HANDLER_RESOURCE } from './asl-types.ts';
import { pollSchedule } from './polling.ts';
import { retryDelays } from './retry-delays.ts';
import type { GateOutcome } from './trigger-gates.ts';
import { triggerGate } from './trigger-gates.ts';

/**
 * The states of one task, in the order a run passes them:
 *   <id>.gate (Choice on upstream states; absent when the rule cannot block)
 *   <id>.run (empty) | <id>.submit -> <id>.poll (job; poll retried on StillRunning)
 *   on a retryable failure: <id>.can_retry -> <id>.next_try -> <id>.backoff -> back to the first call
 *   <id>.failed (the outcome is failed, with the error name) | the last call's ResultSelector (success)
 *   <id>.done (merges the outcome into tasks/outputs/errors, drops scratch, moves the clock to <id>)
 *   <id>.skipped / <id>.upstream_failed (record the gate's verdict)
 * Airflow retries are a Catch loop, not a Retry, so the try number is in the state: the local engine
 * has no $$.State.RetryCount, and what runs locally must be what is deployed.
 */
export interface TaskContext {
  plan: PlanIR;
  /** The output fields some template reads, by task; only those are kept in `outputs`. */
  readFields: ReadonlyMap<string, readonly string[]>;
}

/** Short retries of a single handler call on throttling, 5xx and network errors. */
export const TRANSIENT_RETRY = {
  ErrorEquals: [...TRANSIENT_ERRORS],
  IntervalSeconds: 2,
  MaxAttempts: 3,
  BackoffRate: 2,
  MaxDelaySeconds: 30,
  JitterStrategy: 'FULL',
};

/** Errors that end a try and consume a task retry; StillRunning after the last poll is a timed-out try. */
export const TRY_FAILED_ERRORS = [...TASK_RETRYABLE_ERRORS, 'StillRunning'];

/** The output fields templates read, by task, fields sorted. */
export function readFields(plan: PlanIR): Map<string, string[]> {
  const fields = new Map<string, Set<string>>();
  for (const t of plan.tasks)
    for (const r of t.reads) fields.set(r.task, (fields.get(r.task) ?? new Set()).add(r.field));
  return new Map([...fields].sort(([a], [b]) => (a < b ? -1 : 1)).map(([task, f]) => [task, [...f].sort()]));
}

/** What every state keeps of the workflow state (see asl-types.ts); per-task scratch is dropped. */
export const CARRY = {
  'run.$': '$.run',
  'tasks.$': '$.tasks',
  'outputs.$': '$.outputs',
  'errors.$': '$.errors',
};

/** Lambda's own limit; one handler call never outlives it, whatever execution_timeout says. */
const MAX_CALL_SECONDS = 900;

export function taskStates(
  task: TaskIR,
  ctx: TaskContext,
  next: string | null,
): { start: string; states: Record<string, AslState> } {
  const id = task.task_id;
  const name = (part: string): string => `${id}.${part}`;
  const go = (target: string | null): Record<string, unknown> =>
    target === null ? { End: true } : { Next: target };
  const fields = ctx.readFields.get(id);
  const keepsOutput = fields !== undefined;
  const states: Record<string, AslState> = {};
  const isJob = task.wait_for !== null;
  const firstCall = name(isJob ? 'submit' : 'run');
  const canRetry = task.retries > 0;
  const catchers = [
    ...(canRetry ? [{ ErrorEquals: TRY_FAILED_ERRORS, ResultPath: '$.error', Next: name('can_retry') }] : []),
    { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: name('failed') },
  ];
  const timeout = Math.min(task.execution_timeout_s ?? MAX_CALL_SECONDS, MAX_CALL_SECONDS);
  const call = (op: 'submit' | 'poll'): AslState => ({
    Type: 'Task',
    Resource: TASK_HANDLER_RESOURCE,
    Parameters: invocation(op, task, ctx),
    TimeoutSeconds: Math.max(1, Math.ceil(timeout)),
    Catch: catchers,
  });
  // The outcome of a try, merged by <id>.done: { state: {<id>: s}, error: {<id>: name}?, output: {<id>: o}? }.
  const success = {
    state: { [id]: 'success' },
    error: {},
    ...(fields
      ? { output: { [id]: Object.fromEntries(fields.map((f) => [`${f}.$`, `$.output.${f}`])) } }
      : {}),
  };

  if (isJob) {
    const poll = pollSchedule(task);
    states[name('submit')] = {
      ...call('submit'),
      Retry: [TRANSIENT_RETRY],
      ResultSelector: { 'job.$': '$.job' },
      ResultPath: '$.submitted',
      Next: name('poll'),
    };
    states[name('poll')] = {
      ...call('poll'),
      Retry: [
        {
          ErrorEquals: ['StillRunning'],
          IntervalSeconds: poll.interval_s,
          MaxAttempts: poll.max_retries,
          BackoffRate: poll.backoff_rate,
          MaxDelaySeconds: poll.max_delay_s,
          JitterStrategy: 'NONE',
        },
        TRANSIENT_RETRY,
      ],
      ResultSelector: success,
      ResultPath: '$.outcome',
      Next: name('done'),
    };
  } else {
    states[name('run')] = {
      ...call('submit'),
      Retry: [TRANSIENT_RETRY],
      ResultSelector: success,
      ResultPath: '$.outcome',
      Next: name('done'),
    };
  }
  if (canRetry) Object.assign(states, retryStates(task, name, firstCall));
  states[name('failed')] = {
    Type: 'Pass',
    Parameters: {
      state: { [id]: 'failed' },
      error: { [`${id}.$`]: '$.error.Error' },
      ...(keepsOutput ? { output: { [id]: {} } } : {}),
    },
    ResultPath: '$.outcome',
    Next: name('done'),
  };
  states[name('done')] = {
    Type: 'Pass',
    Parameters: {
      ...CARRY,
      'tasks.$': 'States.JsonMerge($.tasks, $.outcome.state, false)',
      'errors.$': 'States.JsonMerge($.errors, $.outcome.error, false)',
      ...(keepsOutput ? { 'outputs.$': 'States.JsonMerge($.outputs, $.outcome.output, false)' } : {}),
      clock: id,
      try_number: 1,
    },
    ...go(next),
  };

  const gate = triggerGate(task.trigger_rule, task.upstream);
  if (!gate) return { start: firstCall, states };
  const target = (outcome: GateOutcome): string => (outcome === 'run' ? firstCall : name(outcome));
  const outcomes = new Set<GateOutcome>([...gate.rules.map((r) => r.then), gate.otherwise]);
  for (const verdict of ['skipped', 'upstream_failed'] as const) {
    if (!outcomes.has(verdict)) continue;
    states[name(verdict)] = {
      Type: 'Pass',
      Result: verdict,
      ResultPath: `$.tasks.${id}`,
      ...go(next),
    };
  }
  states[name('gate')] = {
    Type: 'Choice',
    Choices: gate.rules.map((r) => ({ ...r.when, Next: target(r.then) })),
    Default: target(gate.otherwise),
  };
  return { start: name('gate'), states };
}

/** Waits between tries from retry-delays.ts; the exponential form draws each wait from [0, delay). */
function retryStates(
  task: TaskIR,
  name: (part: string) => string,
  firstCall: string,
): Record<string, AslState> {
  const delays = retryDelays(task);
  const nextTry = { 'try_number.$': 'States.MathAdd($.try_number, 1)' };
  let pass: AslState;
  let wait: AslState;
  if (task.retry_exponential_backoff) {
    // Indexed by the try that failed; index 0 is unused.
    const table = [0, ...delays].join(', ');
    pass = {
      Type: 'Pass',
      Parameters: {
        ...CARRY,
        'clock.$': '$.clock',
        ...nextTry,
        'delay_s.$': `States.MathRandom(0, States.ArrayGetItem(States.Array(${table}), $.try_number))`,
      },
      Next: name('backoff'),
    };
    wait = { Type: 'Wait', SecondsPath: '$.delay_s', Next: firstCall };
  } else {
    pass = {
      Type: 'Pass',
      Parameters: { ...CARRY, 'clock.$': '$.clock', ...nextTry },
      Next: name('backoff'),
    };
    wait = { Type: 'Wait', Seconds: delays[0]!, Next: firstCall };
  }
  return {
    [name('can_retry')]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.try_number', NumericLessThan: task.retries + 1, Next: name('next_try') }],
      Default: name('failed'),
    },
    [name('next_try')]: pass,
    [name('backoff')]: wait,
  };
}

/** The TaskInvocation of src/handlers/contract.ts, plus the clock. */
function invocation(op: 'submit' | 'poll', task: TaskIR, ctx: TaskContext): Record<string, unknown> {
  const connection = task.connection === null ? null : ctx.plan.connections[task.connection];
  if (task.connection !== null && !connection) {
    throw new Error(`task ${task.task_id}: connection '${task.connection}' is not defined`);
  }
  const spec = {
    task_id: task.task_id,
    operator: task.operator,
    config: task.config,
    wait_for: task.wait_for,
    connection: connection
      ? { name: task.connection, type: connection.type, fields: connection.fields }
      : null,
    secrets: ctx.plan.secrets,
  };
  assertNoPathKeys(spec, `task ${task.task_id}`);
  const upstream = Object.fromEntries(
    [...new Set(task.reads.map((r) => r.task))].sort().map((u) => [`${u}.$`, `$.outputs.${u}`]),
  );
  return {
    op,
    task: spec,
    'run.$': '$.run',
    upstream,
    'try_number.$': '$.try_number',
    'clock.$': '$.clock',
    ...(op === 'poll' ? { 'job.$': '$.submitted.job' } : {}),
  };
}

/** In Parameters a key ending in `.$` is a path; a user's key must never be read as one. */
function assertNoPathKeys(value: unknown, where: string): void {
  if (value === null || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value)) {
    if (key.endsWith('.$')) {
      throw new Error(`${where}: the key '${key}' ends in '.$', which Step Functions would read as a path`);
    }
    assertNoPathKeys(inner, where);
  }
}
