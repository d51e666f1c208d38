import {
  app,
  type EventGridEvent,
  type HttpRequest,
  type InvocationContext,
  type Timer,
} from '@azure/functions';
import * as df from 'durable-functions';
import { onBlobCreated } from '../src/durable/data-triggers.ts';
import { cancelRun, getRun, listDags, postRun } from '../src/durable/http-api.ts';
import type { BlobPlanStore } from '../src/durable/plan-store.ts';
import { SOURCES_CONTAINER } from '../src/durable/plan-store.ts';
import { registerDagBlob } from '../src/durable/register-dag.ts';
import { registerDurableFunctions, type DurableDeps } from '../src/durable/register.ts';
import type { RunsDeps } from '../src/durable/runs-api.ts';
import { onScheduleTick } from '../src/durable/schedules.ts';

/** What the app needs from its environment: the plan store and the task handler core. */
export interface AppEnv extends DurableDeps {
  store: BlobPlanStore;
  now?: () => Date;
}

const client = df.input.durableClient();

/**
 * Every Azure Function of airless, as thin registrations over src/: the Durable orchestrators,
 * activities and entity; the HTTP API; DAG registration on upload; the schedule timer; data triggers.
 */
export function registerApp(env: AppEnv): void {
  registerDurableFunctions(env);
  const deps = (context: InvocationContext): RunsDeps => ({
    client: df.getClient(context),
    store: env.store,
    handleTask: env.handleTask,
    now: env.now ?? (() => new Date()),
  });
  const http = { authLevel: 'function' as const, extraInputs: [client] };

  app.http('listDags', {
    ...http,
    methods: ['GET'],
    route: 'dags',
    handler: (_req: HttpRequest, ctx) => listDags(deps(ctx)),
  });
  app.http('triggerRun', {
    ...http,
    methods: ['POST'],
    route: 'dags/{dag_id}/runs',
    handler: async (req: HttpRequest, ctx) => postRun(deps(ctx), req.params.dag_id ?? '', await req.text()),
  });
  app.http('getRun', {
    ...http,
    methods: ['GET'],
    route: 'dags/{dag_id}/runs/{run_id}',
    handler: (req: HttpRequest, ctx) => getRun(deps(ctx), req.params.dag_id ?? '', req.params.run_id ?? ''),
  });
  app.http('cancelRun', {
    ...http,
    methods: ['POST'],
    route: 'dags/{dag_id}/runs/{run_id}/cancel',
    handler: (req: HttpRequest, ctx) =>
      cancelRun(deps(ctx), req.params.dag_id ?? '', req.params.run_id ?? ''),
  });

  app.storageBlob('registerDag', {
    path: `${SOURCES_CONTAINER}/{name}`,
    connection: 'AzureWebJobsStorage',
    handler: async (blob: unknown, ctx: InvocationContext) => {
      const name = String(ctx.triggerMetadata?.name ?? '');
      const result = await registerDagBlob(
        env.store,
        name,
        Buffer.from(blob as Buffer).toString('utf8'),
        new Date(),
      );
      ctx.log(JSON.stringify({ event: 'dag_registration', blob: name, ok: result.ok }));
    },
  });

  // Subscribe it to Microsoft.Storage.BlobCreated events of the storage accounts DAGs' blob triggers watch.
  app.eventGrid('dataTrigger', {
    extraInputs: [client],
    handler: async (event: EventGridEvent, ctx: InvocationContext) => {
      const results = await onBlobCreated(deps(ctx), event);
      for (const { dag_id, outcome } of results) {
        ctx.log(JSON.stringify({ event: 'data_trigger', dag_id, kind: outcome.kind }));
      }
    },
  });

  app.timer('scheduleTick', {
    schedule: '0 * * * * *',
    extraInputs: [client],
    handler: async (_timer: Timer, ctx: InvocationContext) => {
      const started = await onScheduleTick(deps(ctx), await env.store.listLive());
      if (started.length > 0) ctx.log(JSON.stringify({ event: 'schedule_tick', started }));
    },
  });
}
