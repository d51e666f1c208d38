import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { TokenCredential } from '@azure/identity';
import type { SecretClient, SecretClientOptions } from '@azure/keyvault-secrets';
import { AirlessError, isAirlessError } from '../errors.ts';
import type { SecretsSpec } from '../dag/vocabulary.ts';
import { ExpiringCache, fingerprint } from './expiring-cache.ts';
import { errorNameForStatus } from './http.ts';
import { azureTransportOptions, credentialError, defaultAzureCredential } from './identity.ts';
import type { RuntimeConfig } from './runtime-config.ts';
import { KEY_VAULT_NAME_PATTERN, keyVaultName } from '../dag/secret-names.ts';

/**
 * Secret lookups for `{ secret: name }` references, with Airflow's name mapping per backend:
 * - azure_key_vault: `<variables_prefix>-<name>`, every '_' -> '-' (prefix default airflow-variables)
 * - aws_secrets_manager: SecretId `<prefix>/<name>` (prefix default airflow/variables)
 * - aws_ssm: parameter `/<prefix>/<name>`, decrypted (prefix default /airflow/variables)
 * - env: variable `<prefix><NAME>`, NAME upper-cased with every other character -> '_'
 *   (prefix default AIRLESS_SECRET_; `api-secret` -> AIRLESS_SECRET_API_SECRET)
 * Values are cached in memory for AIRLESS_SECRET_TTL_S and never logged or returned by handlers.
 * Each backend's SDK is imported on first use, so a handler only loads the one its DAG names.
 */
export interface SecretSource {
  get(name: string): Promise<string>;
}

/** Clients a test or a shell can inject; by default each backend builds its own. */
export interface SecretBackendClients {
  keyVaultCredential?: () => TokenCredential | Promise<TokenCredential>;
  keyVaultOptions?: SecretClientOptions;
  secretsManager?: SecretsManagerClient;
  ssm?: SSMClient;
}

const cache = new ExpiringCache<string>();

export function clearSecretCache(): void {
  cache.clear();
}

export function keyVaultSecretName(prefix: string | undefined, name: string): string {
  const full = keyVaultName(prefix, name);
  if (!KEY_VAULT_NAME_PATTERN.test(full)) {
    throw new AirlessError(
      'BadInput',
      `secret '${name}' maps to Key Vault name '${full}', which Key Vault cannot hold`,
    );
  }
  return full;
}

export const envSecretVariable = (prefix: string | undefined, name: string): string =>
  (prefix ?? 'AIRLESS_SECRET_') + name.toUpperCase().replace(/[^A-Z0-9]/g, '_');

const joinPath = (prefix: string, name: string): string =>
  prefix === '' ? name : `${prefix.replace(/\/+$/, '')}/${name}`;

/** Maps an Azure SDK RestError / AWS SDK ServiceException onto the error vocabulary. */
function sdkError(error: unknown, what: string): AirlessError {
  if (isAirlessError(error)) return error;
  const e = (error ?? {}) as {
    name?: string;
    code?: string;
    statusCode?: number;
    $metadata?: { httpStatusCode?: number };
  };
  const status = e.statusCode ?? e.$metadata?.httpStatusCode;
  const name = e.name ?? '';
  if (/NotFound/.test(name) || /NotFound/.test(e.code ?? ''))
    return new AirlessError('NotFound', `${what} does not exist`);
  if (status !== undefined && (status === 429 || status >= 500)) {
    return new AirlessError(errorNameForStatus(status), `${what}: answered ${status} (${name})`);
  }
  if (/Throttl/.test(name)) return new AirlessError('Throttled', `${what}: throttled`);
  if (/Credential|Authentication/.test(name)) return credentialError(error, what);
  if (/AccessDenied|Unrecognized|ExpiredToken/.test(name)) {
    return new AirlessError('AuthFailed', `${what}: not authorised (${name})`);
  }
  if (status !== undefined)
    return new AirlessError(errorNameForStatus(status), `${what}: answered ${status} (${name})`);
  return new AirlessError('NetworkError', `${what}: ${name || 'request failed'}`, { cause: error });
}

export function secretSourceFor(
  spec: SecretsSpec | null,
  config: RuntimeConfig,
  clients: SecretBackendClients = {},
): SecretSource {
  const backend = config.secretsBackend ?? spec?.backend;
  const options = spec?.backend === backend ? (spec?.options ?? {}) : {};
  let lookup: (name: string) => Promise<{ where: string; value: string | undefined }>;

  switch (backend) {
    case 'env':
      lookup = async (name) => {
        const variable = envSecretVariable(options.prefix, name);
        return { where: `environment variable ${variable}`, value: process.env[variable] };
      };
      break;
    case 'azure_key_vault': {
      const vaultUrl = config.keyVaultUrl ?? options.vault_url;
      if (!vaultUrl) throw new AirlessError('BadInput', 'secrets backend azure_key_vault needs vault_url');
      let client: SecretClient | undefined;
      const read = async (secretName: string) => {
        const { SecretClient } = await import('@azure/keyvault-secrets');
        client ??= new SecretClient(
          vaultUrl,
          (await clients.keyVaultCredential?.()) ?? (await defaultAzureCredential(config)),
          {
            ...azureTransportOptions(config),
            disableChallengeResourceVerification: config.keyVaultUrl !== undefined,
            ...clients.keyVaultOptions,
          },
        );
        return client.getSecret(secretName);
      };
      lookup = async (name) => {
        const secretName = keyVaultSecretName(options.variables_prefix, name);
        let secret;
        try {
          secret = await read(secretName);
        } catch (error) {
          if ((error as { statusCode?: number }).statusCode !== 401) throw error;
          // Key Vault refused a token its credential still trusts: once more with a new credential.
          client = undefined;
          secret = await read(secretName);
        }
        return { where: `Key Vault secret ${secretName}`, value: secret.value };
      };
      break;
    }
    case 'aws_secrets_manager':
      lookup = async (name) => {
        const { GetSecretValueCommand, SecretsManagerClient } =
          await import('@aws-sdk/client-secrets-manager');
        const sm =
          clients.secretsManager ??
          new SecretsManagerClient(options.region ? { region: options.region } : {});
        const id = joinPath(options.prefix ?? 'airflow/variables', name);
        const answer = await sm.send(new GetSecretValueCommand({ SecretId: id }));
        return { where: `Secrets Manager secret ${id}`, value: answer.SecretString };
      };
      break;
    case 'aws_ssm':
      lookup = async (name) => {
        const { GetParameterCommand, SSMClient } = await import('@aws-sdk/client-ssm');
        const ssm = clients.ssm ?? new SSMClient(options.region ? { region: options.region } : {});
        const path = joinPath(options.prefix ?? '/airflow/variables', name).replace(/^\/*/, '/');
        const answer = await ssm.send(new GetParameterCommand({ Name: path, WithDecryption: true }));
        return { where: `SSM parameter ${path}`, value: answer.Parameter?.Value };
      };
      break;
    default:
      throw new AirlessError(
        'BadInput',
        `a connection refers to secrets but the DAG names no secrets backend`,
      );
  }

  return {
    async get(name) {
      const key = fingerprint(backend, JSON.stringify(options), config.keyVaultUrl ?? '', name);
      const cached = cache.get(key);
      if (cached !== undefined) return cached;
      let found: { where: string; value: string | undefined };
      try {
        found = await lookup(name);
      } catch (error) {
        throw sdkError(error, `secret '${name}'`);
      }
      if (found.value === undefined || found.value === '') {
        throw new AirlessError('NotFound', `secret '${name}' not found (${found.where})`);
      }
      cache.set(key, found.value, Date.now() + config.secretTtlSeconds * 1000);
      return found.value;
    },
  };
}
