import middy from '@middy/core';
import { onObjectCreated } from '../run-triggers.ts';
import { deploymentEnv, log, runDeps } from './deployment.ts';

/** EventBridge "Object Created" events of buckets with EventBridge notifications on. */
export const handler = middy(async (event: unknown) => {
  const results = await onObjectCreated(runDeps(), event, deploymentEnv().DAG_BUCKET);
  for (const { dag_id, outcome } of results) log('data-trigger', { dag_id, kind: outcome.kind });
  return results.map(({ dag_id, outcome }) => ({ dag_id, kind: outcome.kind }));
});
