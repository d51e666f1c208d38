import { capOutputValue, OPERATOR_OUTPUTS } from '../dag/operators/outputs.ts';
import { renderDeep, type RenderContext } from './render.ts';
import { AirlessError, isAirlessError } from '../errors.ts';
import { authorizerFor, connectionField } from '../clients/identity.ts';
import { readRuntimeConfig, type RuntimeConfig } from '../clients/runtime-config.ts';
import { secretSourceFor, type SecretBackendClients, type SecretSource } from '../clients/secrets.ts';
import {
  TaskInvocationSchema,
  type JobRef,
  type PollResult,
  type SubmitResult,
  type TaskInvocation,
} from './contract.ts';
import { consoleSink, logEvent, type LogSink } from './log.ts';
import { flinkRestOperator } from './operators/flink-rest.ts';
import { genieOperator } from './operators/genie.ts';
import { hdinsightOperator } from './operators/hdinsight.ts';
import type { JobOperator, OperatorCall, Output } from './operators/job-operator.ts';

/** What a shell may inject; everything defaults to the environment (runtime config, console, real clients). */
export interface HandlerDeps {
  runtime?: RuntimeConfig;
  secretClients?: SecretBackendClients;
  log?: LogSink;
  sleep?: (ms: number) => Promise<void>;
}

export type TaskResult = SubmitResult | PollResult;

const OPERATORS: Record<JobRef['operator'], JobOperator> = {
  'flink.hdinsight': hdinsightOperator,
  'flink.rest': flinkRestOperator,
  genie: genieOperator,
};

function parseInvocation(raw: unknown): TaskInvocation {
  const parsed = TaskInvocationSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
    throw new AirlessError('BadInput', `invalid task invocation: ${problems.join('; ')}`);
  }
  const invocation = parsed.data;
  const { op, task, job } = invocation;
  if (task.operator === 'empty' && op !== 'submit')
    throw new AirlessError('BadInput', `task '${task.task_id}' is empty: it has no job to ${op}`);
  if (op !== 'submit' && !job) throw new AirlessError('BadInput', `${op} needs the job that submit returned`);
  if (job && job.operator !== task.operator) {
    throw new AirlessError(
      'BadInput',
      `job is a ${job.operator} job but task '${task.task_id}' is ${task.operator}`,
    );
  }
  return invocation;
}

function renderContext(invocation: TaskInvocation): RenderContext {
  const { run, task, upstream } = invocation;
  return {
    dag_id: run.dag_id,
    run_id: run.run_id,
    task_id: task.task_id,
    logical_date: run.logical_date,
    conf: run.conf,
    params: run.params,
    tasks: Object.fromEntries(Object.entries(upstream).map(([id, output]) => [id, { output }])),
  };
}

/** Only the operator's declared output fields leave the handler, each within its size budget. */
function declaredOutput(operator: JobRef['operator'], output: Output): Output {
  return Object.fromEntries(
    OPERATOR_OUTPUTS[operator].map((field) => [
      field,
      capOutputValue(output[field] ?? null) as Output[string],
    ]),
  );
}

function operatorCall(
  invocation: TaskInvocation,
  runtime: RuntimeConfig,
  deps: HandlerDeps,
  log: LogSink,
): OperatorCall {
  const { task } = invocation;
  let source: SecretSource | undefined;
  const secrets: SecretSource = {
    get: (name) => (source ??= secretSourceFor(task.secrets, runtime, deps.secretClients)).get(name),
  };
  return {
    invocation,
    config: renderDeep(task.config, renderContext(invocation)),
    runtime,
    target: (service, baseUrl, scope) => ({
      service,
      baseUrl,
      auth: authorizerFor(task.connection, secrets, runtime, scope),
      timeoutMs: runtime.httpTimeoutMs,
    }),
    connectionField: async (name) =>
      task.connection ? connectionField(task.connection, name, secrets) : undefined,
    retry: {
      attempts: runtime.httpAttempts,
      retryAfterCapSeconds: runtime.retryAfterCapSeconds,
      sleep: deps.sleep,
      onRetry: (error, attempt, waitMs) =>
        logEvent(log, { event: 'retry', task_id: task.task_id, error: error.name, attempt, wait_ms: waitMs }),
    },
  };
}

/**
 * The one task handler both backends call: submit, poll or cancel a job of any operator.
 * submit -> { job } (an empty task: { output: {} } at once); poll -> { output } once wait_for is reached, else throws StillRunning;
 * cancel -> { output }. Every failure is an AirlessError whose name the workflow matches on.
 */
export async function handleTask(raw: unknown, deps: HandlerDeps = {}): Promise<TaskResult> {
  const log = deps.log ?? consoleSink;
  const started = Date.now();
  const facts: Record<string, unknown> = { event: 'task' };
  try {
    const invocation = parseInvocation(raw);
    const { op, task, job } = invocation;
    Object.assign(facts, {
      op,
      dag_id: invocation.run.dag_id,
      run_id: invocation.run.run_id,
      task_id: task.task_id,
      try_number: invocation.try_number,
      operator: task.operator,
    });
    if (task.operator === 'empty') {
      // An empty task is a join or a marker: its one call succeeds at once, with no I/O and no output.
      logEvent(log, { ...facts, outcome: 'ok', ms: Date.now() - started });
      return { output: {} };
    }
    const operator = OPERATORS[task.operator];
    const call = operatorCall(invocation, deps.runtime ?? readRuntimeConfig(), deps, log);
    let result: TaskResult;
    if (op === 'submit') {
      result = { job: await operator.submit(call) };
      Object.assign(facts, { job_name: result.job.job_name, job_id: result.job.job_id });
    } else {
      const output = op === 'poll' ? await operator.poll(call, job!) : await operator.cancel(call, job!);
      result = { output: declaredOutput(job!.operator, output) };
      Object.assign(facts, { job_name: job!.job_name, job_id: job!.job_id, status: output.status ?? null });
    }
    logEvent(log, { ...facts, outcome: 'ok', ms: Date.now() - started });
    return result;
  } catch (error) {
    const name = isAirlessError(error) ? error.name : 'InternalError';
    logEvent(log, {
      ...facts,
      outcome: name,
      message: error instanceof Error ? error.message : String(error),
      ms: Date.now() - started,
    });
    throw error;
  }
}
