import type { TaskInvocation } from '../../handlers/contract.ts';
import { handleTask, type HandlerDeps } from '../../handlers/task.ts';
import type { ConsoleProgress } from './console-progress.ts';

/**
 * The ARNs the standalone control plane deploys with, besides the task and gate handlers' (the SFN
 * service's LOCAL_TASK_HANDLER_ARN and LOCAL_GATE_HANDLER_ARN): the schedules target the
 * scheduled-run function, which the local Scheduler service calls in process; nothing here reaches AWS.
 */
export const STANDALONE_ARNS = {
  scheduledRun: 'arn:aws:lambda:us-east-1:000000000000:function:airless-standalone-scheduled-run',
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
