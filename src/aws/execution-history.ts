import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import {
  type JobRef,
  JobRefSchema,
  type TaskInvocation,
  TaskInvocationSchema,
} from '../handlers/contract.ts';

/**
 * The task-handler calls an execution made, read back from its history. Both ways a state can call
 * a Lambda are understood: the optimised `arn:aws:states:::lambda:invoke` integration (Task* events,
 * the payload under `Payload`) and a bare function ARN as Resource (LambdaFunction* events).
 */
export interface HandlerCall {
  invocation: TaskInvocation;
  outcome: 'pending' | 'succeeded' | 'failed';
  /** The handler's result when it succeeded. */
  result: Record<string, unknown> | null;
  /** The error name when it failed (StillRunning for a poll that came too early). */
  error: string | null;
  /** The failure's message (the Lambda error's errorMessage), at most 500 characters. */
  message: string | null;
  /** When the call was made. */
  scheduled_at: Date;
  /** When it ended (when it was made while it is pending). */
  timestamp: Date;
}

export async function readHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        maxResults: 1000,
        nextToken,
        includeExecutionData: true,
      }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

const parse = (text: string | undefined): unknown => {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** The handler payload a scheduled call carried, or null when the call was not to the task handler. */
function scheduledPayload(event: HistoryEvent): unknown {
  if (event.type === 'LambdaFunctionScheduled')
    return parse(event.lambdaFunctionScheduledEventDetails?.input);
  if (event.type === 'TaskScheduled' && event.taskScheduledEventDetails?.resourceType === 'lambda') {
    return (parse(event.taskScheduledEventDetails.parameters) as { Payload?: unknown } | undefined)?.Payload;
  }
  return null;
}

function succeededResult(event: HistoryEvent): Record<string, unknown> | null {
  if (event.type === 'LambdaFunctionSucceeded') {
    return parse(event.lambdaFunctionSucceededEventDetails?.output) as Record<string, unknown>;
  }
  const output = parse(event.taskSucceededEventDetails?.output) as
    { Payload?: Record<string, unknown> } | undefined;
  return output?.Payload ?? null;
}

const ENDS: Record<string, 'succeeded' | 'failed'> = {
  LambdaFunctionSucceeded: 'succeeded',
  TaskSucceeded: 'succeeded',
  LambdaFunctionFailed: 'failed',
  LambdaFunctionTimedOut: 'failed',
  LambdaFunctionStartFailed: 'failed',
  TaskFailed: 'failed',
  TaskTimedOut: 'failed',
  TaskStartFailed: 'failed',
};

function failureDetails(event: HistoryEvent) {
  return (
    event.lambdaFunctionFailedEventDetails ??
    event.lambdaFunctionTimedOutEventDetails ??
    event.lambdaFunctionStartFailedEventDetails ??
    event.taskFailedEventDetails ??
    event.taskTimedOutEventDetails ??
    event.taskStartFailedEventDetails
  );
}

function failureMessage(cause: string | undefined): string | null {
  if (!cause) return null;
  const parsed = parse(cause) as { errorMessage?: unknown } | undefined;
  const text = typeof parsed?.errorMessage === 'string' ? parsed.errorMessage : cause;
  return text.slice(0, 500);
}

export function handlerCalls(events: HistoryEvent[]): HandlerCall[] {
  const byId = new Map(events.map((e) => [e.id!, e]));
  const calls = new Map<number, HandlerCall>();
  for (const event of events) {
    const payload = scheduledPayload(event);
    if (payload === null) continue;
    const invocation = TaskInvocationSchema.safeParse(payload);
    if (!invocation.success) continue;
    calls.set(event.id!, {
      invocation: invocation.data,
      outcome: 'pending',
      result: null,
      error: null,
      message: null,
      scheduled_at: event.timestamp!,
      timestamp: event.timestamp!,
    });
  }
  for (const event of events) {
    const outcome = ENDS[event.type ?? ''];
    if (!outcome) continue;
    // Succeeded/Failed -> (Started ->) Scheduled: walk back to the call it ends.
    let cursor = byId.get(event.previousEventId ?? -1);
    while (cursor && !calls.has(cursor.id!) && cursor.previousEventId !== undefined) {
      if (!/Started$/.test(cursor.type ?? '')) break;
      cursor = byId.get(cursor.previousEventId);
    }
    const call = cursor ? calls.get(cursor.id!) : undefined;
    if (!call) continue;
    call.outcome = outcome;
    call.result = outcome === 'succeeded' ? succeededResult(event) : null;
    const failure = outcome === 'failed' ? failureDetails(event) : undefined;
    call.error = failure?.error ?? null;
    call.message = failureMessage(failure?.cause);
    call.timestamp = event.timestamp!;
  }
  return [...calls.values()];
}

/** Jobs the execution submitted that no successful poll saw reach their goal: what cancel must stop. */
export function unfinishedJobs(calls: HandlerCall[]): Array<{ submit: TaskInvocation; job: JobRef }> {
  const key = (i: TaskInvocation) => `${i.task.task_id}\u0000${i.try_number}`;
  const finished = new Set(
    calls
      .filter((c) => c.invocation.op === 'poll' && c.outcome === 'succeeded')
      .map((c) => key(c.invocation)),
  );
  const jobs: Array<{ submit: TaskInvocation; job: JobRef }> = [];
  for (const call of calls) {
    if (call.invocation.op !== 'submit' || call.outcome !== 'succeeded' || finished.has(key(call.invocation)))
      continue;
    const job = JobRefSchema.safeParse(call.result?.job);
    if (job.success) jobs.push({ submit: call.invocation, job: job.data });
  }
  return jobs;
}
