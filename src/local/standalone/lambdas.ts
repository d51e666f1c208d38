import { DynamoDbGateStore } from '../../aws/dynamodb-gate-store.ts';
import { SfnTaskTokens } from '../../aws/sfn-task-tokens.ts';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TaskInvocation } from '../../handlers/contract.ts';
import { handleGate } from '../../handlers/gates/handle-gate.ts';
import { handleTask, type HandlerDeps } from '../../handlers/task.ts';
import type { ConsoleProgress } from './console-progress.ts';
import { RUNS_TABLE } from './embedded-stores.ts';

/**
 * The ARNs the standalone control plane deploys with, as serverless.yml's stack would name them:
 * the compiled ASL calls `${TaskHandlerArn}` and `${GateHandlerArn}`, the schedules target the
 * scheduled-run function. The local Step Functions and Scheduler services call the in-process
 * handlers these name; nothing here reaches AWS.
 */
const LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:';
export const STANDALONE_ARNS = {
  task: `${LAMBDA}airless-standalone-task`,
  gate: `${LAMBDA}airless-standalone-gate`,
  scheduledRun: `${LAMBDA}airless-standalone-scheduled-run`,
  workflowRole: 'arn:aws:iam::000000000000:role/airless-standalone-workflow',
  schedulerRole: 'arn:aws:iam::000000000000:role/airless-standalone-scheduler',
  stateMachineArnPrefix: 'arn:aws:states:us-east-1:000000000000:stateMachine:',
};
export const STATE_MACHINE_PREFIX = 'airless-';
export const SCHEDULE_GROUP = 'airless';

/** The task Lambda: the real handler, its calls printed on the console. */
export const taskFunction =
  (deps: HandlerDeps, progress: ConsoleProgress) =>
  (event: unknown): Promise<unknown> => {
    const inv = event as Partial<TaskInvocation> | null;
    // Only a well-formed invocation is printed; the handler itself refuses the rest.
    if (!inv?.run?.dag_id || !inv.task?.task_id) return handleTask(event, deps);
    return progress.call(inv as TaskInvocation, () => handleTask(event, deps));
  };

/** The gate Lambda: the real gate handler on the runs table, waking tasks through the SFN service. */
export function gateFunction(dynamodb: DynamoDBClient, sfn: SFNClient) {
  const deps = { store: new DynamoDbGateStore(dynamodb, RUNS_TABLE), tokens: new SfnTaskTokens(sfn) };
  return (event: unknown): Promise<unknown> => handleGate(event, deps);
}
