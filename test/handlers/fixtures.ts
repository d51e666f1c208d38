import { startEmulators, type EmulatorOptions } from '../../src/local/emulators/index.ts';
import type { RunningEmulators } from '../../src/local/emulators/index.ts';
import { readRuntimeConfig, type RuntimeConfig } from '../../src/clients/runtime-config.ts';
import { clearIdentityCache } from '../../src/clients/identity.ts';
import { clearSecretCache } from '../../src/clients/secrets.ts';
import type {
  JobRef,
  PollResult,
  SubmitResult,
  TaskInvocation,
  TaskSpec,
} from '../../src/handlers/contract.ts';
import { handleTask, type HandlerDeps } from '../../src/handlers/task.ts';
import { isAirlessError, type AirlessError } from '../../src/errors.ts';

/** Emulators plus the runtime config and deps a handler needs to reach them; logs are captured. */
export interface Harness {
  emu: RunningEmulators;
  runtime: RuntimeConfig;
  logs: string[];
  deps: HandlerDeps;
  close(): Promise<void>;
}

export async function startHarness(
  options: EmulatorOptions = {},
  env: Record<string, string> = {},
): Promise<Harness> {
  const emu = await startEmulators(options);
  const runtime = readRuntimeConfig({
    AIRLESS_ARM_ENDPOINT: emu.armUrl,
    AIRLESS_AUTHORITY_HOST: emu.authorityHost,
    AIRLESS_KEYVAULT_URL: emu.keyVaultUrl,
    AIRLESS_CA_PEM: emu.caPem,
    AIRLESS_HTTP_TIMEOUT_MS: '1500',
    AIRLESS_RETRY_AFTER_CAP_S: '2',
    ...env,
  });
  // Key Vault is reached through DefaultAzureCredential, whose first link reads these.
  process.env.AZURE_TENANT_ID = emu.tenantId;
  process.env.AZURE_CLIENT_ID = emu.clientId;
  process.env.AZURE_CLIENT_SECRET = emu.clientSecret;
  clearIdentityCache();
  clearSecretCache();
  const logs: string[] = [];
  return {
    emu,
    runtime,
    logs,
    deps: {
      runtime,
      log: (line) => logs.push(line),
      sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))),
    },
    close: () => emu.close(),
  };
}

export const HDINSIGHT_CONNECTION: NonNullable<TaskSpec['connection']> = {
  name: 'hdinsight',
  type: 'azure_client_credentials',
  fields: {
    tenant_id: { secret: 'tenant-id' },
    client_id: { secret: 'api-client-id' },
    client_secret: { secret: 'api-secret' },
  },
};

export const KEY_VAULT_SECRETS: NonNullable<TaskSpec['secrets']> = {
  backend: 'azure_key_vault',
  options: { vault_url: 'https://myvault.vault.azure.net', variables_prefix: 'hdinsight-aks-variables' },
};

export const CLUSTER = {
  subscription: '{{ params.subscription }}',
  resource_group: 'rg1',
  pool: 'pool1',
  name: '{{ params.clusterNm }}',
};

let runCounter = 0;
/** A fresh run id per call so tests never share job names. */
export const nextRunId = (): string => `manual__2026-11-21T10:00:0${runCounter}+00:00-r${++runCounter}`;

export function invocation(
  task: Partial<TaskSpec> & Pick<TaskSpec, 'operator' | 'config'>,
  extra: Partial<TaskInvocation> = {},
): TaskInvocation {
  return {
    op: 'submit',
    task: { task_id: 'submit_job', wait_for: 'FINISHED', connection: null, secrets: null, ...task },
    run: {
      dag_id: 'handlers_test',
      run_id: extra.run?.run_id ?? nextRunId(),
      logical_date: '2026-11-21T10:00:00Z',
      conf: {},
      params: {
        subscription: '0b1e7c6a-0000-4000-8000-000000000001',
        clusterNm: 'flink1',
        jarName: 'WordCount.jar',
      },
    },
    upstream: {},
    try_number: 1,
    ...extra,
  };
}

/** Polls until wait_for is reached (StillRunning retried), returning the output or the final error. */
export async function pollUntilDone(
  h: Harness,
  inv: TaskInvocation,
  job: JobRef,
  maxPolls = 400,
): Promise<PollResult> {
  for (let i = 0; i < maxPolls; i++) {
    try {
      return (await handleTask({ ...inv, op: 'poll', job }, h.deps)) as PollResult;
    } catch (error) {
      if (!isAirlessError(error, 'StillRunning')) throw error;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  throw new Error(`still running after ${maxPolls} polls`);
}

export async function runTask(
  h: Harness,
  inv: TaskInvocation,
): Promise<{ job: JobRef; output: PollResult['output'] }> {
  const { job } = (await handleTask(inv, h.deps)) as SubmitResult;
  const { output } = await pollUntilDone(h, inv, job);
  return { job, output };
}

/** Rejects with the error `promise` ends with, for asserting on its name. */
export async function failure(promise: Promise<unknown>): Promise<AirlessError> {
  try {
    await promise;
  } catch (error) {
    return error as AirlessError;
  }
  throw new Error('expected a failure, got success');
}
