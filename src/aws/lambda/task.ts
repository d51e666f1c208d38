import middy from '@middy/core';
import { handleTask, type TaskResult } from '../../handlers/task.ts';

/**
 * The Lambda behind the ASL's `${TaskHandlerArn}`. The event is the TaskInvocation itself; a thrown
 * AirlessError reaches Step Functions with its name as the Lambda errorType, which Retry/Catch match.
 * The same `handleTask` is the Durable activity body (see src/azure/register.ts).
 */
export const handler = middy<unknown, TaskResult>().handler((event: unknown) => handleTask(event));
