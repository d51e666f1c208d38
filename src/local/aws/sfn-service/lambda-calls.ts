import { randomUUID } from 'node:crypto';
import { lambdaFunctionName } from './arns.ts';

/** An in-process stand-in for a deployed Lambda function: the real handler, called with the event. */
export type LambdaFunction = (event: unknown) => Promise<unknown>;

const MAX_PAYLOAD_CHARS = 262_144;

/** Finds the function of an ARN or name: by the exact key, else by the function name. */
export function functionResolver(functions: Record<string, LambdaFunction>) {
  const byName = new Map<string, LambdaFunction>();
  for (const [key, fn] of Object.entries(functions)) byName.set(lambdaFunctionName(key) ?? key, fn);
  return (ref: string): LambdaFunction | undefined =>
    functions[ref] ?? byName.get(lambdaFunctionName(ref) ?? ref);
}

/** What a failed call gives the state machine: the error name, and Lambda's JSON cause. */
export interface CallFailure {
  error: string;
  cause: string;
}

export type CallOutcome =
  | { kind: 'succeeded'; value: unknown; text: string }
  | { kind: 'failed'; failure: CallFailure }
  | { kind: 'abandoned' };

/** Lambda's error document of a function that threw, as Step Functions gives it in Cause. */
export function functionFailure(error: unknown): CallFailure {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return { error: name, cause: JSON.stringify({ errorType: name, errorMessage: message, trace: [] }) };
}

/** The error the engine sees for a failure: Retry and Catch match its name, `$.error.Cause` is the cause. */
export function engineError(failure: CallFailure): Error {
  const error = new Error(failure.cause);
  error.name = failure.error;
  return error;
}

/**
 * Calls a function as Lambda would: the event and the result cross as JSON, a result over 256 KiB
 * fails with States.DataLimitExceeded; `abandoned` once the engine stops waiting (timeout, stop).
 */
export async function callFunction(
  fn: LambdaFunction,
  payload: unknown,
  signal: AbortSignal | undefined,
): Promise<CallOutcome> {
  if (signal?.aborted) return { kind: 'abandoned' };
  const call = (async (): Promise<CallOutcome> => {
    try {
      const value: unknown = await fn(JSON.parse(JSON.stringify(payload ?? null)));
      const text = JSON.stringify(value ?? null);
      if (text.length > MAX_PAYLOAD_CHARS) {
        return {
          kind: 'failed',
          failure: { error: 'States.DataLimitExceeded', cause: 'The function result is over 256 KiB' },
        };
      }
      return { kind: 'succeeded', value: JSON.parse(text), text };
    } catch (error) {
      return { kind: 'failed', failure: functionFailure(error) };
    }
  })();
  if (!signal) return call;
  return Promise.race([call, abandonedOn(signal)]);
}

export const abandonedOn = (signal: AbortSignal): Promise<{ kind: 'abandoned' }> =>
  new Promise((resolve) => {
    if (signal.aborted) resolve({ kind: 'abandoned' });
    signal.addEventListener('abort', () => resolve({ kind: 'abandoned' }), { once: true });
  });

/** The `lambda:invoke` integration's result around a function's value. */
export const invokeResult = (value: unknown): Record<string, unknown> => ({
  ExecutedVersion: '$LATEST',
  Payload: value,
  SdkHttpMetadata: { HttpStatusCode: 200 },
  SdkResponseMetadata: { RequestId: randomUUID() },
  StatusCode: 200,
});

export const notFound = (ref: string): CallFailure => ({
  error: 'Lambda.ResourceNotFoundException',
  cause: `Function not found: ${ref} (no function of that ARN or name was given to the local service)`,
});
