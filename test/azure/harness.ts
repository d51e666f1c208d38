import { registerApp } from '../../functions/app.ts';
import { AzureApiBackend } from '../../src/azure/api-backend.ts';
import { RunIndex } from '../../src/azure/run-index.ts';
import { BlobTryLogs } from '../../src/azure/try-logs.ts';
import * as df from 'durable-functions';
import { BlobPlanStore } from '../../src/azure/plan-store.ts';
import type { TaskInvocation } from '../../src/handlers/contract.ts';
import { handleTask } from '../../src/handlers/task.ts';
import { serveHttpFunctions } from '../../src/local/azure/functions-http.ts';
import type { DurableHost } from '../../src/local/azure/host.ts';
import { openLocalDurable } from '../../src/local/azure/index.ts';
import type { EmulatorOptions, RunningEmulators } from '../../src/local/emulators/index.ts';
import { startHandlerEnvironment } from '../../src/local/handler-environment.ts';
import { startAzurite, type Azurite } from './azurite.ts';

export interface AzureApiHost {
  /** The ApiBackend of the Azure deployment, over the local Durable host's client and Azurite. */
  backend: AzureApiBackend;
  /** Where the Functions app's HTTP routes answer (`${url}/api/v2/...`). */
  url: string;
  host: DurableHost;
  emulators: RunningEmulators;
  store: BlobPlanStore;
  /** Uploads a DAG file to the dags container and runs the registration blob trigger on it. */
  upload: (name: string, text: string) => Promise<void>;
  close: () => Promise<void>;
}

/**
 * The Azure deployment on this machine: Azurite for blobs, the local Durable host running the
 * Functions app (functions/app.ts) with the real task handler core against the built-in emulators,
 * its HTTP routes on 127.0.0.1, and the given DAG files registered through the blob trigger.
 * The virtual clock (default) jumps durable timers whenever the host is idle, moving the
 * emulators' clock along, so polls and retry delays of real DAG files take no wall time.
 */
export async function startAzureApiHost(
  options: {
    dags?: Record<string, string>;
    clock?: 'virtual' | 'real';
    emulators?: EmulatorOptions;
  } = {},
): Promise<AzureApiHost> {
  const clock = options.clock ?? 'virtual';
  const azurite: Azurite = await startAzurite();
  const env = await startHandlerEnvironment(() => undefined, { timeScale: 1, ...options.emulators });
  const emulators = env.emu!;
  const store = new BlobPlanStore(azurite.service);
  await store.ensureContainers();
  let host: DurableHost | null = null;
  let synced = 0;
  const handler = (inv: TaskInvocation): Promise<unknown> => {
    if (clock === 'virtual' && host !== null && host.now > synced) {
      emulators.clock.advance((host.now - synced) / 1000);
      synced = host.now;
    }
    return handleTask(inv, env.deps);
  };
  const now = (): Date => (host === null || clock === 'real' ? new Date() : new Date(host.now));
  const endpoints = { flink: env.deps.runtime?.flinkEndpoint, genie: env.deps.runtime?.genieEndpoint };
  const local = await openLocalDurable({
    clock,
    startMs: Date.now(),
    register: () => registerApp({ store, handleTask: handler, now, endpoints }),
  });
  host = local.host;
  synced = host.now;
  const stopHost = host.serve();
  const api = await serveHttpFunctions(host);
  const reg = host.registration('api')!;
  const backend = new AzureApiBackend({
    client: df.getClient(host.invocationContext('api', reg)),
    store,
    runs: new RunIndex(store.records),
    logs: new BlobTryLogs(store.state),
    handleTask: handler,
    now,
    endpoints,
  });
  const upload = async (name: string, text: string): Promise<void> => {
    await store.sources.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));
    const trigger = host!.registration('registerDag')!;
    await trigger.handler(Buffer.from(text), host!.invocationContext('registerDag', trigger, { name }));
  };
  for (const [name, text] of Object.entries(options.dags ?? {})) await upload(name, text);
  return {
    backend,
    url: api.url,
    host,
    emulators,
    store,
    upload,
    close: async () => {
      await api.close();
      await stopHost();
      await local.close();
      await env.close();
      await azurite.stop();
    },
  };
}
