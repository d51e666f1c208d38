import middy from '@middy/core';
import { registerDagObject } from '../registry/register-dag.ts';
import { objectEvents } from '../registry/s3-events.ts';
import { deploymentEnv, log, registryDeps } from './deployment.ts';

/** DAG bucket object events under dags/ (EventBridge); reserved concurrency 1 serialises registrations. */
export const handler = middy(async (event: unknown) => {
  const deps = registryDeps();
  const results = [];
  for (const object of objectEvents(event).filter((o) => o.bucket === deploymentEnv().DAG_BUCKET)) {
    const result = await registerDagObject(deps, object.key);
    log('register-dag', { key: object.key, ...result });
    results.push(result);
  }
  return results;
});
