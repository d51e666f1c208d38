import middy from '@middy/core';
import { onExecutionFinished } from '../api/run-finished.ts';
import { runDeps } from './deployment.ts';

/** EventBridge "Step Functions Execution Status Change" for airless state machines: frees the run's slot. */
export const handler = middy(async (event: unknown) => onExecutionFinished(runDeps(), event));
