import middy from '@middy/core';
import { advanceBackfills } from '../../runs/backfill.ts';
import { onExecutionFinished } from '../run-finished.ts';
import { apiBackend, runDeps } from './deployment.ts';

/**
 * EventBridge "Step Functions Execution Status Change" for airless state machines: frees the run's
 * slot, starts the next queued run, and moves the DAG's open backfills on.
 */
export const handler = middy(async (event: unknown) =>
  onExecutionFinished(runDeps(), event, (dagId) => advanceBackfills(apiBackend(), dagId)),
);
