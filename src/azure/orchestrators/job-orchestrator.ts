import type { OrchestrationContext, Task } from 'durable-functions';
import { ErrorNames, TRANSIENT_ERRORS, type ErrorName } from '../../errors.ts';
import type { JobRef, PollResult, SubmitResult, TaskInvocation } from '../../handlers/contract.ts';
import { FN, type HandlerEnvelope, type JobInput, type TryResult } from '../contract.ts';
import { nextPollSeconds } from './retry.ts';

/** Polls one execution makes before continuing as new, which keeps each history small and bounded. */
export const POLLS_PER_EXECUTION = 50;
/** Extra attempts of one handler call after a transient error (throttled, 5xx, network). */
export const TRANSIENT_RETRIES = 3;

/**
 * One try of one job task: submit, then poll on durable timers whose delay grows from poke_interval
 * up to max_poke_interval until the handler reports `wait_for` reached. Never throws: the outcome,
 * success or a named error, is its return value.
 */
export function* jobOrchestrator(
  context: OrchestrationContext,
): Generator<Task, TryResult | undefined, unknown> {
  const input = context.df.getInput() as JobInput;
  let job: JobRef | null = input.job;
  if (job === null) {
    const submitted = yield* callHandler(context, { ...input.invocation, op: 'submit' });
    if (!submitted.ok) return submitted;
    job = (submitted.result as SubmitResult).job;
  }
  context.df.setCustomStatus({ job });
  let interval = input.poll_interval_s;
  for (let polls = 0; ;) {
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + interval * 1000));
    const polled = yield* callHandler(context, { ...input.invocation, op: 'poll', job });
    if (polled.ok) return { ok: true, output: (polled.result as PollResult).output };
    if (polled.error.name !== ErrorNames.StillRunning) return polled;
    interval = nextPollSeconds(interval, input.max_poll_interval_s);
    polls += 1;
    if (polls >= POLLS_PER_EXECUTION) {
      context.df.continueAsNew({
        ...input,
        job,
        poll_interval_s: interval,
        polls_before: input.polls_before + polls,
      });
      return undefined;
    }
  }
}

/** Calls the handler activity, retrying transient errors a few times with a short backoff. */
function* callHandler(
  context: OrchestrationContext,
  invocation: TaskInvocation,
): Generator<Task, HandlerEnvelope, unknown> {
  for (let attempt = 0; ; attempt++) {
    const envelope = (yield context.df.callActivity(FN.handler, invocation)) as HandlerEnvelope;
    if (
      envelope.ok ||
      !TRANSIENT_ERRORS.includes(envelope.error.name as ErrorName) ||
      attempt >= TRANSIENT_RETRIES
    ) {
      return envelope;
    }
    const delay = envelope.error.retry_after_s ?? 2 ** attempt;
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + delay * 1000));
  }
}
