import { TASK_RETRYABLE_ERRORS, TRANSIENT_ERRORS } from '../../../errors.ts';
import type { PlanIR, TaskIR } from '../../ir.ts';
import { decide } from '../../../semantics/trigger-rules.ts';
import type { AslState } from './asl-types.ts';
import { GATE_HANDLER_RESOURCE, GATE_WAIT_RESOURCE, TASK_HANDLER_RESOURCE } from './asl-types.ts';
import { pollSchedule } from './polling.ts';
import { retryDelays } from './retry-delays.ts';
import type { Structure } from '../structure/structure.ts';
import type { Verdict } from './upstream-choice.ts';
import { upstreamChoice } from './upstream-choice.ts';

/**
 * The states of one task, in the order a run passes them:
 *   <id>.gate (Choice on the upstreams' recorded states, where the structure has them all final;
 *     absent when the rule cannot block, then <id>.resume stands in its place), whose first rule
 *     sends a task a re-run keeps (the input's resume.prior.<id>) to <id>.prior, which records that
 *     outcome through <id>.done
 *   <id>.wait (GateWait callback: parks until the gate decides the trigger rule from the upstreams'
 *     reported ends and/or grants a max_active_tasks slot) -> <id>.verdict (Choice on $.gate.verdict)
 *     -> <id>.admit (merges the outputs the gate brings, when the task reads any)
 *   <id>.run (empty) | <id>.submit -> <id>.poll (job; poll retried on StillRunning)
 *   on a retryable failure: <id>.can_retry -> <id>.next_try -> <id>.backoff -> back to the first call
 *   <id>.failed (the outcome is failed, with the error name) | the last call's ResultSelector (success)
 *   <id>.done (merges the outcome into tasks/outputs/errors, drops scratch)
 *   <id>.skipped / <id>.upstream_failed (record the verdict)
 *   <id>.end (GateEnd: reports the final state to the gates waiting on it, frees its slot)
 * Airflow retries are a Catch loop, not a Retry, so the try number is in the state: the local engine
 * has no $$.State.RetryCount, and what runs locally must be what is deployed.
 */
export interface TaskContext {
  plan: PlanIR;
  structure: Structure;
  /** The output fields some template reads, by task; only those are kept in `outputs`. */
  readFields: ReadonlyMap<string, readonly string[]>;
  gated: ReadonlySet<string>;
  /** The tasks whose outputs each task reads. */
  readsOf: ReadonlyMap<string, ReadonlySet<string>>;
  /** Position in plan.tasks (topological): the tie-break of slot requests. */
  order: ReadonlyMap<string, number>;
  gateTimeoutSeconds: number;
  /** Where the input's resume is: `$$.Execution.Input.resume`, in a child `...Input.parent.resume`. */
  resumePath: string;
}

/** Context for the tasks of a plan compiled with this structure. */
export function taskContext(plan: PlanIR, structure: Structure, resumePath: string): TaskContext {
  return {
    plan,
    structure,
    readFields: readFields(plan),
    gated: new Set(structure.gated),
    readsOf: new Map(plan.tasks.map((t) => [t.task_id, new Set(t.reads.map((r) => r.task))])),
    order: new Map(plan.tasks.map((t, i) => [t.task_id, i])),
    gateTimeoutSeconds: gateTimeoutSeconds(plan),
    resumePath,
  };
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

/** A year: Step Functions' longest execution, and the cap of a gate's wait. */
export const MAX_RUN_SECONDS = 365 * 24 * 3600;

/**
 * How long a gate may wait: every task of the run one after another, each try to its
 * execution_timeout (a Lambda call's 900 s without one) plus a margin for transient retries, and
 * each retry delay. No run of the DAG lasts longer; capped at a year.
 */
export function gateTimeoutSeconds(plan: PlanIR): number {
  let total = 0;
  for (const t of plan.tasks) {
    const tryS = (t.execution_timeout_s ?? MAX_CALL_SECONDS) + TRANSIENT_MARGIN_S;
    total += (t.retries + 1) * tryS + retryDelays(t).reduce((a, b) => a + b, 0);
    if (total >= MAX_RUN_SECONDS) return MAX_RUN_SECONDS;
  }
  return Math.max(1, Math.ceil(total));
}

/** Transient retries of the calls of one try: 3 of them, each wait at most 30 s, per call. */
const TRANSIENT_MARGIN_S = 3 * 2 * 30;

/** Lambda invocation errors worth retrying, beside the handlers' own transient names. */
export const GATE_RETRY = {
  ...TRANSIENT_RETRY,
  ErrorEquals: [
    ...TRANSIENT_ERRORS,
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
  ],
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
  'run_key.$': '$.run_key',
  'tasks.$': '$.tasks',
  'outputs.$': '$.outputs',
  'errors.$': '$.errors',
  'try_base.$': '$.try_base',
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
  const fields = ctx.readFields.get(id);
  const keepsOutput = fields !== undefined;
  const states: Record<string, AslState> = {};
  const isJob = task.wait_for !== null;
  const firstCall = name(isJob ? 'submit' : 'run');
  const canRetry = task.retries > 0;
  // Where the task's record is complete: its end is reported to the gates there, when it must be.
  const reportsEnd = ctx.structure.ends.has(id);
  const after = reportsEnd ? name('end') : next;
  const go = (target: string | null): Record<string, unknown> =>
    target === null ? { End: true } : { Next: target };
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
      try_number: 1,
    },
    ...go(after),
  };
  if (reportsEnd) states[name('end')] = gateEnd(task, ctx, next);

  // A verdict other than run is recorded (an empty output too, when a template reads this task).
  const settle = (verdict: Exclude<Verdict, 'run'>): string => {
    const target = name(verdict);
    states[target] = keepsOutput
      ? {
          Type: 'Pass',
          Result: { state: { [id]: verdict }, error: {}, output: { [id]: {} } },
          ResultPath: '$.outcome',
          Next: name('done'),
        }
      : { Type: 'Pass', Result: verdict, ResultPath: `$.tasks.${id}`, ...go(after) };
    return target;
  };
  const gated = ctx.gated.has(id);
  const slot = ctx.structure.slots && isJob;
  let start = firstCall;
  if (gated || slot) {
    const verdicts = gated ? possibleVerdicts(task) : new Set<Verdict>(['run']);
    const admit = gated && task.reads.length > 0;
    if (admit) {
      states[name('admit')] = {
        Type: 'Pass',
        Parameters: {
          ...CARRY,
          'outputs.$': 'States.JsonMerge($.outputs, $.gate.outputs, false)',
          try_number: 1,
        },
        Next: firstCall,
      };
    }
    const onRun = admit ? name('admit') : firstCall;
    const others = [...verdicts].filter((v): v is Exclude<Verdict, 'run'> => v !== 'run');
    if (others.length > 0) {
      states[name('verdict')] = {
        Type: 'Choice',
        Choices: others.map((v) => ({ Variable: '$.gate.verdict', StringEquals: v, Next: settle(v) })),
        Default: onRun,
      };
    }
    states[name('wait')] = gateWait(task, ctx, gated, slot, others.length > 0 ? name('verdict') : onRun);
    start = name('wait');
  }
  // A re-run keeps the task's recorded outcome: it is recorded (and its end reported) as if it had
  // just ended that way, without waiting at a gate, taking a slot or calling a handler.
  const prior = `${ctx.resumePath}.prior.${id}`;
  states[name('prior')] = {
    Type: 'Pass',
    Parameters: {
      state: { [`${id}.$`]: `${prior}.state` },
      error: {},
      ...(keepsOutput ? { output: { [`${id}.$`]: `${prior}.outputs` } } : {}),
    },
    ResultPath: '$.outcome',
    Next: name('done'),
  };
  const resumed = { Variable: prior, IsPresent: true, Next: name('prior') };
  const choice = gated ? null : upstreamChoice(task.trigger_rule, task.upstream);
  if (!choice) {
    states[name('resume')] = { Type: 'Choice', Choices: [resumed], Default: start };
    return { start: name('resume'), states };
  }
  const target = (verdict: Verdict): string => (verdict === 'run' ? start : settle(verdict));
  states[name('gate')] = {
    Type: 'Choice',
    Choices: [resumed, ...choice.rules.map((r) => ({ ...r.when, Next: target(r.then) }))],
    Default: target(choice.otherwise),
  };
  return { start: name('gate'), states };
}

/** The verdicts a gate can give under the task's rule, from `decide` over the upstream counts. */
function possibleVerdicts(task: TaskIR): Set<Verdict> {
  const k = task.upstream.length;
  const out = new Set<Verdict>();
  // Every split of k final upstreams over the four states; k is small for the enumerations that
  // matter, and beyond 3 no rule reaches a new verdict.
  const m = Math.min(k, 3);
  for (let a = 0; a <= m; a++)
    for (let b = 0; a + b <= m; b++)
      for (let c = 0; a + b + c <= m; c++) {
        const counts = { total: m, success: a, failed: b, skipped: c, upstream_failed: m - a - b - c };
        const d = decide(task.trigger_rule, counts);
        if (d !== 'wait') out.add(d);
      }
  return out;
}

/** Parks until the gate decides the task (and grants its slot): `$.gate` is the GateVerdict. */
function gateWait(task: TaskIR, ctx: TaskContext, gated: boolean, slot: boolean, next: string): AslState {
  const reads = gated ? [...new Set(task.reads.map((r) => r.task))].sort() : [];
  return {
    Type: 'Task',
    Resource: GATE_WAIT_RESOURCE,
    Parameters: {
      FunctionName: GATE_HANDLER_RESOURCE,
      Payload: {
        op: 'wait',
        'run_key.$': '$.run_key',
        task_id: task.task_id,
        'token.$': '$$.Task.Token',
        trigger_rule: task.trigger_rule,
        upstream: gated ? task.upstream : [],
        reads,
        slot: slot
          ? {
              cap: ctx.plan.max_active_tasks,
              priority_weight: task.priority_weight,
              order: ctx.order.get(task.task_id)!,
            }
          : null,
      },
    },
    ResultPath: '$.gate',
    TimeoutSeconds: ctx.gateTimeoutSeconds,
    Retry: [GATE_RETRY],
    Next: next,
  };
}

/** Reports the task's final state (and output, when a gated task reads it) and frees its slot. */
function gateEnd(task: TaskIR, ctx: TaskContext, next: string | null): AslState {
  const waiters = ctx.structure.ends.get(task.task_id)!;
  const read = waiters.some((w) => ctx.readsOf.get(w)?.has(task.task_id));
  return {
    Type: 'Task',
    Resource: GATE_HANDLER_RESOURCE,
    Parameters: {
      op: 'end',
      'run_key.$': '$.run_key',
      task_id: task.task_id,
      'state.$': `$.tasks.${task.task_id}`,
      ...(read ? { 'output.$': `$.outputs.${task.task_id}` } : { output: null }),
      downstream: waiters,
      release_slot: ctx.structure.slots && task.wait_for !== null,
    },
    ResultPath: null,
    Retry: [GATE_RETRY],
    ...(next === null ? { End: true } : { Next: next }),
  };
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
        ...nextTry,
        'delay_s.$': `States.MathRandom(0, States.ArrayGetItem(States.Array(${table}), $.try_number))`,
      },
      Next: name('backoff'),
    };
    wait = { Type: 'Wait', SecondsPath: '$.delay_s', Next: firstCall };
  } else {
    pass = {
      Type: 'Pass',
      Parameters: { ...CARRY, ...nextTry },
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

/** The TaskInvocation of src/handlers/contract.ts. */
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
    // $.try_number counts the tries of this execution; a re-run's first try is its try base + 1.
    'try_number.$': `States.MathAdd($.try_number, $.try_base.${task.task_id})`,
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
