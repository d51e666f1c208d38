import { apiV2Suite, type ApiV2Host } from '../runs/api/api-v2-suite.ts';
import { startAzureApiHost } from './harness.ts';

// The shared API v2 suite on the Azure deployment: the Functions app's API route on the local
// Durable host (real clock) and Azurite, the real task handler against the built-in emulators.
async function start(): Promise<ApiV2Host> {
  const azure = await startAzureApiHost({
    clock: 'real',
    emulators: { timeScale: 30, jobs: [{ jobName: 'stream-*', runSeconds: null }] },
  });
  // The suite's DAG runs jars by id (jar_id: load.jar, report.jar): uploaded before it runs, as a
  // deployment would have them.
  for (const jm of azure.emulators.state.flink.values()) {
    for (const name of ['load.jar', 'report.jar']) jm.jars.set(name, { id: name, name, uploaded: 0 });
  }
  return {
    request: async (method, path, body) => {
      const res = await fetch(`${azure.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
    },
    upload: azure.upload,
    flinkUrl: azure.emulators.flinkUrl,
    fault: async (spec) => {
      azure.emulators.faults.add(spec as never);
    },
    submittedJobs: async () =>
      Object.entries(azure.emulators.stats.submissions).flatMap(([name, n]) => Array<string>(n).fill(name)),
    close: azure.close,
  };
}

apiV2Suite('Azure (Functions app on the local Durable host, Azurite)', start);
