import './safe-own-keys.ts';
import * as df from 'durable-functions';
import type { EntityContext } from 'durable-functions';
import type { InvocationContext } from '@azure/functions';
import type { TaskInvocation } from '../handlers/contract.ts';
import { FN, type HandlerEnvelope, type JobInput, type TaskInput } from './contract.ts';
import { jobOrchestrator } from './orchestrators/job-orchestrator.ts';
import { runOrchestrator } from './orchestrators/run-orchestrator.ts';
import { statusOrNull, isEnded } from './client-status.ts';
import { applySlotOperation, EMPTY_SLOTS, type SlotsState } from './orchestrators/run-slots.ts';
import { taskOrchestrator } from './orchestrators/task-orchestrator.ts';

export interface DurableDeps {
  /** The task handler core (submit, poll, cancel), the same function the Lambdas run. */
  handleTask: (invocation: TaskInvocation) => Promise<unknown>;
  /** Where each handler call is logged for its try (the API's task logs); none: not logged. */
  tryLog?: (invocation: TaskInvocation, envelope: HandlerEnvelope, at: Date) => Promise<void>;
}

/** Turns a handler error into data, so orchestrators decide on its name deterministically. */
export async function toEnvelope(call: () => Promise<unknown>): Promise<HandlerEnvelope> {
  try {
    return { ok: true, result: await call() };
  } catch (e) {
    const err = e as Error & { retryAfterSeconds?: number };
    const error = { name: err.name ?? 'Error', message: err.message ?? String(e) };
    return {
      ok: false,
      error: err.retryAfterSeconds === undefined ? error : { ...error, retry_after_s: err.retryAfterSeconds },
    };
  }
}

/** One handler call as an envelope, logged for its try. */
export async function callHandler(deps: DurableDeps, invocation: TaskInvocation): Promise<HandlerEnvelope> {
  const envelope = await toEnvelope(() => deps.handleTask(invocation));
  await deps.tryLog?.(invocation, envelope, new Date());
  return envelope;
}

const clientInput = df.input.durableClient();

/**
 * Starts task orchestrations; a retried call finds the instances it already started. A re-run of
 * the run starts a task again under the same instance id, over the ended instance of its earlier
 * tries (told apart by the try it counts on from).
 */
async function startTasks(
  input: { tasks: Array<{ instance_id: string; input: TaskInput }> },
  context: InvocationContext,
): Promise<number> {
  const client = df.getClient(context);
  const started = await Promise.all(
    input.tasks.map(async (t) => {
      const existing = await statusOrNull(client, t.instance_id);
      const earlier =
        existing !== null &&
        isEnded(existing) &&
        ((existing.input as TaskInput | null)?.try_base ?? 0) !== (t.input.try_base ?? 0);
      if (existing !== null && !earlier) return 0;
      await client.startNew(FN.task, { instanceId: t.instance_id, input: t.input });
      return 1;
    }),
  );
  return started.reduce((a: number, b) => a + b, 0);
}

/** Terminates a try's job orchestration that outlived execution_timeout and cancels its job. */
async function stopJob(
  input: { instance: string; invocation: JobInput['invocation'] },
  context: InvocationContext,
  deps: DurableDeps,
): Promise<HandlerEnvelope> {
  const client = df.getClient(context);
  const status = await client.getStatus(input.instance);
  await client.terminate(input.instance, 'execution_timeout');
  const job = (status.customStatus as { job?: TaskInvocation['job'] } | null)?.job;
  if (job === undefined) return { ok: true, result: null };
  return callHandler(deps, { ...input.invocation, op: 'cancel', job });
}

/**
 * Gives back the slots of runs that ended without releasing them (terminated from outside the
 * API, or lost): asked for by runs that have waited a whole re-check interval.
 */
async function reapSlots(input: { dag_id: string }, context: InvocationContext): Promise<string[]> {
  const client = df.getClient(context);
  const entity = new df.EntityId(FN.slots, input.dag_id);
  const state = await client.readEntityState<SlotsState>(entity);
  const released: string[] = [];
  for (const holder of state.entityExists ? (state.entityState?.holders ?? []) : []) {
    if (!isEnded(await statusOrNull(client, holder))) continue;
    await client.signalEntity(entity, 'release', { instance: holder });
    released.push(holder);
  }
  return released;
}

/** Registers the orchestrators, activities and entity with the Functions host (or the local one). */
export function registerDurableFunctions(deps: DurableDeps): void {
  df.app.orchestration(FN.run, runOrchestrator);
  df.app.orchestration(FN.task, taskOrchestrator);
  df.app.orchestration(FN.job, jobOrchestrator);
  df.app.activity(FN.handler, { handler: (inv: TaskInvocation) => callHandler(deps, inv) });
  df.app.activity(FN.startTasks, { extraInputs: [clientInput], handler: startTasks });
  df.app.activity(FN.notify, {
    extraInputs: [clientInput],
    handler: async (
      input: { instance: string; event: string; data: unknown },
      context: InvocationContext,
    ) => {
      await df.getClient(context).raiseEvent(input.instance, input.event, input.data);
      return null;
    },
  });
  df.app.activity(FN.reapSlots, { extraInputs: [clientInput], handler: reapSlots });
  df.app.activity(FN.stopJob, {
    extraInputs: [clientInput],
    handler: (input: { instance: string; invocation: JobInput['invocation'] }, context: InvocationContext) =>
      stopJob(input, context, deps),
  });
  df.app.entity(FN.slots, (context: EntityContext<SlotsState>) => {
    const current = context.df.getState(() => EMPTY_SLOTS) ?? EMPTY_SLOTS;
    const { state, result } = applySlotOperation(
      current,
      context.df.operationName ?? '',
      context.df.getInput() as { instance: string; limit?: number },
    );
    context.df.setState(state);
    context.df.return(result);
  });
}
