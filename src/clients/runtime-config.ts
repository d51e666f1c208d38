import { AirlessError } from '../errors.ts';

/**
 * Where handlers reach the outside world, read from environment variables so the same bundle talks
 * to Azure/AWS in the cloud and to the built-in emulators in `airless run`. Nothing here is secret.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | AIRLESS_ARM_ENDPOINT | https://management.azure.com | ARM base URL (HDInsight on AKS job API) |
 * | AIRLESS_ARM_SCOPE | https://management.azure.com/.default | token scope for ARM |
 * | AIRLESS_AUTHORITY_HOST | https://login.microsoftonline.com | Entra ID authority host for client credentials |
 * | AIRLESS_FLINK_ENDPOINT | (the task's endpoint) | overrides the JobManager URL of every flink.rest task |
 * | AIRLESS_GENIE_ENDPOINT | (the task's endpoint) | overrides the Genie URL of every genie task |
 * | AIRLESS_KEYVAULT_URL | (the DAG's vault_url) | overrides the Key Vault URL of every DAG |
 * | AIRLESS_SECRETS_BACKEND | (the DAG's backend) | forces one backend (e.g. `env` for local runs) |
 * | AIRLESS_CA_PEM | (system CAs) | extra CA certificate(s), PEM text, trusted for Entra ID / Key Vault TLS |
 * | AIRLESS_HTTP_TIMEOUT_MS | 30000 | per-request timeout of the job clients |
 * | AIRLESS_HTTP_ATTEMPTS | 4 | attempts of one handler call on Throttled/ServiceUnavailable/NetworkError |
 * | AIRLESS_RETRY_AFTER_CAP_S | 20 | longest in-call wait honoured from a Retry-After header |
 * | AIRLESS_SECRET_TTL_S | 300 | how long a fetched secret stays in the in-memory cache |
 */
export interface RuntimeConfig {
  armEndpoint: string;
  armScope: string;
  authorityHost: string;
  flinkEndpoint: string | undefined;
  genieEndpoint: string | undefined;
  keyVaultUrl: string | undefined;
  secretsBackend: string | undefined;
  caPem: string | undefined;
  httpTimeoutMs: number;
  httpAttempts: number;
  retryAfterCapSeconds: number;
  secretTtlSeconds: number;
}

const url = (env: NodeJS.ProcessEnv, name: string, fallback: string): string => {
  const value = env[name] ?? fallback;
  if (!/^https?:\/\/[^\s]+$/.test(value)) {
    throw new AirlessError('BadInput', `${name} must be an http(s) URL, got '${value}'`);
  }
  return value.replace(/\/+$/, '');
};

const optionalUrl = (env: NodeJS.ProcessEnv, name: string): string | undefined =>
  env[name] ? url(env, name, '') : undefined;

const positiveInt = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new AirlessError('BadInput', `${name} must be a non-negative integer, got '${raw}'`);
  }
  return value;
};

export function readRuntimeConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  return {
    armEndpoint: url(env, 'AIRLESS_ARM_ENDPOINT', 'https://management.azure.com'),
    armScope: env.AIRLESS_ARM_SCOPE ?? 'https://management.azure.com/.default',
    authorityHost: url(env, 'AIRLESS_AUTHORITY_HOST', 'https://login.microsoftonline.com'),
    flinkEndpoint: optionalUrl(env, 'AIRLESS_FLINK_ENDPOINT'),
    genieEndpoint: optionalUrl(env, 'AIRLESS_GENIE_ENDPOINT'),
    keyVaultUrl: optionalUrl(env, 'AIRLESS_KEYVAULT_URL'),
    secretsBackend: env.AIRLESS_SECRETS_BACKEND || undefined,
    caPem: env.AIRLESS_CA_PEM || undefined,
    httpTimeoutMs: positiveInt(env, 'AIRLESS_HTTP_TIMEOUT_MS', 30_000),
    httpAttempts: Math.max(1, positiveInt(env, 'AIRLESS_HTTP_ATTEMPTS', 4)),
    retryAfterCapSeconds: positiveInt(env, 'AIRLESS_RETRY_AFTER_CAP_S', 20),
    secretTtlSeconds: positiveInt(env, 'AIRLESS_SECRET_TTL_S', 300),
  };
}
