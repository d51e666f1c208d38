import middy from '@middy/core';
import { onScheduleTick } from '../run-triggers.ts';
import { log, runDeps } from './deployment.ts';

/** Invoked by EventBridge Scheduler with {dag_id, logical_date: <aws.scheduler.scheduled-time>}. */
export const handler = middy(async (event: unknown) => {
  const outcome = await onScheduleTick(runDeps(), event);
  log('scheduled-run', { kind: outcome.kind });
  return outcome;
});
