/**
 * The two Step Functions service integrations the local engine runs besides plain Lambda tasks,
 * and the shapes AWS gives them.
 */

/** A Lambda invoke that parks until its `$$.Task.Token` is completed (the callback pattern). */
export const CALLBACK_RESOURCE = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/** A child execution waited for; its result is DescribeExecution with Input and Output as JSON. */
export const CHILD_RESOURCE = 'arn:aws:states:::states:startExecution.sync:2';

const REGION_ACCOUNT = 'us-east-1:000000000000';

export const stateMachineArn = (name: string): string =>
  `arn:aws:states:${REGION_ACCOUNT}:stateMachine:${name}`;

export const executionArn = (machine: string, execution: string): string =>
  `arn:aws:states:${REGION_ACCOUNT}:execution:${machine}:${execution}`;

/** A finished child execution, as `.sync:2` reports it (keys in AWS's order, dates in epoch ms). */
export interface ChildDescription {
  ExecutionArn: string;
  Input: unknown;
  InputDetails: { Included: true };
  Name: string;
  Output?: unknown;
  OutputDetails?: { Included: true };
  Error?: string;
  Cause?: string;
  RedriveCount: 0;
  RedriveStatus: 'NOT_REDRIVABLE' | 'REDRIVABLE';
  RedriveStatusReason?: string;
  StartDate: number;
  StateMachineArn: string;
  Status: 'SUCCEEDED' | 'FAILED';
  StopDate: number;
}

/** A child that the local Step Functions service ran: it may also end stopped or timed out. */
export type ServiceChildDescription = Omit<ChildDescription, 'Status'> & {
  Status: 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
};

export interface ChildEnd {
  machine: string;
  name: string;
  input: unknown;
  start: number;
  status: 'SUCCEEDED' | 'FAILED';
  output: unknown;
  error: string | null;
  cause: string | null;
}

export function describeChild(end: ChildEnd): ChildDescription {
  const ok = end.status === 'SUCCEEDED';
  return {
    ...(ok ? {} : { Cause: end.cause ?? '', Error: end.error ?? '' }),
    ExecutionArn: executionArn(end.machine, end.name),
    Input: end.input,
    InputDetails: { Included: true },
    Name: end.name,
    ...(ok ? { Output: end.output, OutputDetails: { Included: true } } : {}),
    RedriveCount: 0,
    RedriveStatus: ok ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
    ...(ok ? { RedriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven' } : {}),
    StartDate: end.start,
    StateMachineArn: stateMachineArn(end.machine),
    Status: end.status,
    StopDate: Date.now(),
  };
}

/** A failed child fails its Task with States.TaskFailed, the description as the cause (as on AWS). */
export function childFailure(description: ChildDescription | ServiceChildDescription): Error {
  const error = new Error(JSON.stringify(description));
  error.name = 'States.TaskFailed';
  return error;
}
