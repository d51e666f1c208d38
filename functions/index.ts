// The Azure Functions entry point (v4 programming model): wires the real plan store and handler core.
import { BlobServiceClient } from '@azure/storage-blob';
import { readRuntimeConfig } from '../src/clients/runtime-config.ts';
import { BlobPlanStore } from '../src/azure/plan-store.ts';
import { handleTask } from '../src/handlers/task.ts';
import { registerApp } from './app.ts';

const connection = process.env.AzureWebJobsStorage;
if (connection === undefined) throw new Error('AzureWebJobsStorage is not set');

const runtime = readRuntimeConfig();
registerApp({
  store: new BlobPlanStore(BlobServiceClient.fromConnectionString(connection)),
  handleTask: (invocation) => handleTask(invocation),
  endpoints: { flink: runtime.flinkEndpoint, genie: runtime.genieEndpoint },
});
