import middy from '@middy/core';
import { catchupRuns } from '../../runs/catchup.ts';
import { registerDagObject } from '../registry/register-dag.ts';
import { objectEvents } from '../registry/s3-events.ts';
import { apiBackend, deploymentEnv, log, registryDeps } from './deployment.ts';

/**
 * DAG bucket object events under dags/ (EventBridge); reserved concurrency 1 serialises registrations.
 * A published `catchup: true` DAG gets the runs of the intervals it missed.
 */
export const handler = middy(async (event: unknown) => {
  const deps = registryDeps();
  const results = [];
  for (const object of objectEvents(event).filter((o) => o.bucket === deploymentEnv().DAG_BUCKET)) {
    const result = await registerDagObject(deps, object.key);
    log('register-dag', { key: object.key, ...result });
    if (result.action === 'published') {
      const backend = apiBackend();
      const dag = await backend.getDag(result.dag_id);
      if (dag?.plan.catchup) {
        const { triggered } = await catchupRuns(backend, dag, new Date());
        log('catchup', { dag_id: dag.dag_id, runs: triggered.length });
      }
    }
    results.push(result);
  }
  return results;
});
