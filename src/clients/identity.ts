import { rootCertificates } from 'node:tls';
import type { TokenCredential } from '@azure/identity';
import { AirlessError, isAirlessError } from '../errors.ts';
import type { ConnectionSpec } from '../dag/vocabulary.ts';
import { ExpiringCache, fingerprint } from './expiring-cache.ts';
import type { Authorizer } from './http.ts';
import { NO_AUTH, errorNameForStatus } from './http.ts';
import type { RuntimeConfig } from './runtime-config.ts';
import type { SecretSource } from './secrets.ts';

/**
 * Turns a DAG connection into an Authorizer: Entra ID tokens for the azure_* types (cached until
 * shortly before they expire), HTTP Basic for genie_basic, nothing for none. Credentials and
 * tokens live only in this module's memory.
 */
export type Connection = ConnectionSpec & { name: string };

/** Refresh a token this long before Entra ID says it expires. */
const TOKEN_MARGIN_MS = 120_000;

const credentials = new ExpiringCache<TokenCredential>();
const tokens = new ExpiringCache<string>();

export function clearIdentityCache(): void {
  credentials.clear();
  tokens.clear();
}

/** TLS and authority options shared by every Azure SDK client airless builds. */
export function azureTransportOptions(config: RuntimeConfig): {
  tlsOptions?: { ca: string[] };
  retryOptions: { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number };
} {
  return {
    ...(config.caPem ? { tlsOptions: { ca: [...rootCertificates, config.caPem] } } : {}),
    // One quick SDK-level retry; the handler's own retry (AIRLESS_HTTP_ATTEMPTS) does the rest.
    retryOptions: { maxRetries: 1, retryDelayInMs: 200, maxRetryDelayInMs: 1000 },
  };
}

/** @azure/identity is loaded on first use, so tasks that need no Entra ID token never pay for it. */
const azureIdentity = () => import('@azure/identity');

export async function defaultAzureCredential(config: RuntimeConfig): Promise<TokenCredential> {
  const { DefaultAzureCredential } = await azureIdentity();
  return new DefaultAzureCredential({
    authorityHost: config.authorityHost,
    disableInstanceDiscovery: true,
    ...azureTransportOptions(config),
  });
}

/** A connection field's value, looked up through the secrets backend when it is a secret reference. */
export async function connectionField(
  connection: Connection,
  name: string,
  secrets: SecretSource,
): Promise<string | undefined> {
  const value = connection.fields[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : secrets.get(value.secret);
}

async function field(connection: Connection, name: string, secrets: SecretSource): Promise<string> {
  const value = await connectionField(connection, name, secrets);
  if (value === undefined)
    throw new AirlessError('BadInput', `connection '${connection.name}' needs '${name}'`);
  return value;
}

async function azureCredential(
  connection: Connection,
  secrets: SecretSource,
  config: RuntimeConfig,
): Promise<{ key: string; create: () => Promise<TokenCredential> }> {
  const transport = azureTransportOptions(config);
  switch (connection.type) {
    case 'azure_client_credentials': {
      const tenant = await field(connection, 'tenant_id', secrets);
      const client = await field(connection, 'client_id', secrets);
      const secret = await field(connection, 'client_secret', secrets);
      return {
        key: fingerprint('cc', config.authorityHost, tenant, client, secret),
        create: async () =>
          new (await azureIdentity()).ClientSecretCredential(tenant, client, secret, {
            authorityHost: config.authorityHost,
            disableInstanceDiscovery: true,
            ...transport,
          }),
      };
    }
    case 'azure_managed_identity': {
      const client = await connectionField(connection, 'client_id', secrets);
      return {
        key: fingerprint('mi', client ?? ''),
        create: async () => {
          const { ManagedIdentityCredential } = await azureIdentity();
          return client
            ? new ManagedIdentityCredential({ clientId: client, ...transport })
            : new ManagedIdentityCredential(transport);
        },
      };
    }
    default:
      return {
        key: fingerprint('default', config.authorityHost),
        create: () => defaultAzureCredential(config),
      };
  }
}

/**
 * An authority that is down or throttling is transient; a refused credential is AuthFailed. The
 * credential's own message can quote the authority's answer, so only its kind is kept.
 */
export function credentialError(error: unknown, what: string): AirlessError {
  if (isAirlessError(error)) return error;
  const {
    name = 'Error',
    statusCode,
    code,
  } = (error ?? {}) as { name?: string; statusCode?: number; code?: string };
  what = `${what}: could not get a token (${name}${statusCode ? ` ${statusCode}` : ''})`;
  if (statusCode !== undefined && (statusCode === 429 || statusCode >= 500)) {
    return new AirlessError(errorNameForStatus(statusCode), what);
  }
  const message = String((error as Error | undefined)?.message);
  if (code === 'REQUEST_SEND_ERROR' || /network|ECONN|socket|timed? ?out/i.test(message)) {
    return new AirlessError('NetworkError', what);
  }
  // MSAL reports a failing or throttling authority (5xx/429) by these codes, not by status.
  if (/temporarily_unavailable|endpoints_resolution_error|server_error/.test(message)) {
    return new AirlessError('ServiceUnavailable', what);
  }
  return new AirlessError('AuthFailed', what);
}

function entraAuthorizer(
  connection: Connection,
  secrets: SecretSource,
  config: RuntimeConfig,
  scope: string,
): Authorizer {
  let cacheKey: string | undefined;
  return {
    async headers() {
      const { key, create } = await azureCredential(connection, secrets, config);
      cacheKey = key;
      const tokenKey = fingerprint(key, scope);
      let token = tokens.get(tokenKey);
      if (token === undefined) {
        let credential = credentials.get(key);
        if (!credential) {
          credential = await create();
          credentials.set(key, credential, Number.POSITIVE_INFINITY);
        }
        try {
          const answer = await credential.getToken(scope);
          if (!answer) throw new Error('no token');
          token = answer.token;
          tokens.set(tokenKey, token, answer.expiresOnTimestamp - TOKEN_MARGIN_MS);
        } catch (error) {
          // MSAL remembers a throttled or failed authority per credential; start afresh next time.
          credentials.delete(key);
          throw credentialError(error, `connection '${connection.name}'`);
        }
      }
      return { authorization: `Bearer ${token}` };
    },
    invalidate() {
      if (cacheKey === undefined) return;
      credentials.delete(cacheKey);
      tokens.delete(fingerprint(cacheKey, scope));
    },
  };
}

function basicAuthorizer(connection: Connection, secrets: SecretSource): Authorizer {
  return {
    async headers() {
      const user = await field(connection, 'username', secrets);
      const password = await field(connection, 'password', secrets);
      return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
    },
    invalidate: () => undefined,
  };
}

/** The Authorizer for `connection` when calling a service whose Entra ID scope is `scope`. */
export function authorizerFor(
  connection: Connection | null,
  secrets: SecretSource,
  config: RuntimeConfig,
  scope: string,
): Authorizer {
  switch (connection?.type ?? 'none') {
    case 'none':
      return NO_AUTH;
    case 'genie_basic':
      return basicAuthorizer(connection as Connection, secrets);
    default:
      return entraAuthorizer(connection as Connection, secrets, config, scope);
  }
}
