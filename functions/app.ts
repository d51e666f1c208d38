import {
  app,
  type EventGridEvent,
  type HttpRequest,
  type InvocationContext,
  type Timer,
} from '@azure/functions';
import * as df from 'durable-functions';
import { AzureApiBackend } from '../src/azure/api-backend.ts';
import { RunIndex } from '../src/azure/run-index.ts';
import { catchupAndBackfills } from '../src/azure/timer-work.ts';
import { BlobTryLogs } from '../src/azure/try-logs.ts';
import { onBlobCreated } from '../src/azure/data-triggers.ts';
import type { BlobPlanStore } from '../src/azure/plan-store.ts';
import { SOURCES_CONTAINER } from '../src/azure/plan-store.ts';
import { registerDagBlob } from '../src/azure/register-dag.ts';
import { registerDurableFunctions, type DurableDeps } from '../src/azure/register.ts';
import type { RunsDeps } from '../src/azure/runs-api.ts';
import { onScheduleTick } from '../src/azure/schedules.ts';
import { apiRouter } from '../src/runs/api/router.ts';

/** What the app needs from its environment: the plan store and the task handler core. */
export interface AppEnv extends DurableDeps {
  store: BlobPlanStore;
  now?: () => Date;
  /** The deployment's Flink and Genie overrides, for links to jobs (runtime-config's endpoints). */
  endpoints?: { flink?: string | undefined; genie?: string | undefined };
}

/** Every method Airflow's API uses; the router answers 405 where a path takes another. */
const API_METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] as const;

const client = df.input.durableClient();

/**
 * Every Azure Function of airless, as thin registrations over src/: the Durable orchestrators,
 * activities and entity; the HTTP API; DAG registration on upload; the schedule timer; data triggers.
 */
export function registerApp(env: AppEnv): void {
  const logs = new BlobTryLogs(env.store.state);
  const runs = new RunIndex(env.store.records);
  const durable: DurableDeps = { handleTask: env.handleTask, tryLog: (...a) => logs.append(...a) };
  registerDurableFunctions(durable);
  const now = env.now ?? (() => new Date());
  const deps = (context: InvocationContext): RunsDeps => ({
    ...durable,
    client: df.getClient(context),
    store: env.store,
    runs,
    now,
  });

  const backend = (ctx: InvocationContext): AzureApiBackend =>
    new AzureApiBackend({ ...deps(ctx), store: env.store, logs, endpoints: env.endpoints });

  // Airflow's REST API v2 (src/runs/api/router.ts), every path under one route.
  app.http('api', {
    authLevel: 'function',
    extraInputs: [client],
    methods: [...API_METHODS],
    route: 'api/v2/{*path}',
    handler: async (req: HttpRequest, ctx: InvocationContext) => {
      const url = new URL(req.url);
      const text = await req.text();
      const reply = await apiRouter(backend(ctx))({
        method: req.method,
        path: url.pathname,
        query: url.searchParams,
        body: text === '' ? undefined : text,
      });
      return { status: reply.status, headers: { 'content-type': 'application/json' }, jsonBody: reply.body };
    },
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
      const { caught_up, backfills } = await catchupAndBackfills(backend(ctx));
      if (caught_up.length > 0 || backfills > 0)
        ctx.log(JSON.stringify({ event: 'catchup_backfills', caught_up, backfills }));
    },
  });
}
