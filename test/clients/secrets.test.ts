import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readRuntimeConfig } from '../../src/clients/runtime-config.ts';
import {
  clearSecretCache,
  envSecretVariable,
  keyVaultSecretName,
  secretSourceFor,
} from '../../src/clients/secrets.ts';
import { startEmulators, type RunningEmulators } from '../../src/local/emulators/index.ts';
import { failure } from '../handlers/fixtures.ts';

const runtime = readRuntimeConfig({});

beforeEach(() => clearSecretCache());

describe('secret name mapping (Airflow conventions)', () => {
  it('Key Vault: prefix-name with every _ turned into -', () => {
    expect(keyVaultSecretName('hdinsight-aks-variables', 'api_secret')).toBe(
      'hdinsight-aks-variables-api-secret',
    );
    expect(keyVaultSecretName(undefined, 'my_var')).toBe('airflow-variables-my-var');
    expect(keyVaultSecretName('', 'x')).toBe('x');
    expect(keyVaultSecretName('p--', 'x')).toBe('p-x');
    expect(() => keyVaultSecretName('p', 'a.b/c')).toThrow(/Key Vault cannot hold/);
  });
  it('env: AIRLESS_SECRET_ + upper-cased name', () => {
    expect(envSecretVariable(undefined, 'api-secret')).toBe('AIRLESS_SECRET_API_SECRET');
    expect(envSecretVariable('MY_', 'a.b')).toBe('MY_A_B');
  });
});

describe('env backend', () => {
  it('reads and caches, NotFound when unset', async () => {
    process.env.AIRLESS_SECRET_TOKEN_X = 'v1';
    const source = secretSourceFor({ backend: 'env', options: {} }, runtime);
    expect(await source.get('token_x')).toBe('v1');
    process.env.AIRLESS_SECRET_TOKEN_X = 'v2';
    expect(await source.get('token_x')).toBe('v1'); // cached
    const e = await failure(source.get('missing'));
    expect([e.name, e.message]).toEqual([
      'NotFound',
      "secret 'missing' not found (environment variable AIRLESS_SECRET_MISSING)",
    ]);
  });
  it('cache entries expire', async () => {
    process.env.AIRLESS_SECRET_TTL_ZERO = 'a';
    const source = secretSourceFor(
      { backend: 'env', options: {} },
      readRuntimeConfig({ AIRLESS_SECRET_TTL_S: '0' }),
    );
    expect(await source.get('ttl_zero')).toBe('a');
    process.env.AIRLESS_SECRET_TTL_ZERO = 'b';
    expect(await source.get('ttl_zero')).toBe('b');
  });
  it('AIRLESS_SECRETS_BACKEND overrides the DAG backend', async () => {
    process.env.AIRLESS_SECRET_OVERRIDDEN = 'from-env';
    const source = secretSourceFor(
      { backend: 'azure_key_vault', options: { vault_url: 'https://unreachable.vault.azure.net' } },
      readRuntimeConfig({ AIRLESS_SECRETS_BACKEND: 'env' }),
    );
    expect(await source.get('overridden')).toBe('from-env');
  });
  it('no backend at all is BadInput', () => {
    expect(() => secretSourceFor(null, runtime)).toThrow(/names no secrets backend/);
  });
});

describe('Azure Key Vault backend (real SDK against the emulator over TLS)', () => {
  let emu: RunningEmulators;
  beforeAll(async () => {
    emu = await startEmulators({ secrets: { 'airflow-variables-db-password': 's3cr3t-db' } });
    process.env.AZURE_TENANT_ID = emu.tenantId;
    process.env.AZURE_CLIENT_ID = emu.clientId;
    process.env.AZURE_CLIENT_SECRET = emu.clientSecret;
  });
  afterAll(() => emu.close());
  const kv = () =>
    readRuntimeConfig({
      AIRLESS_KEYVAULT_URL: emu.keyVaultUrl,
      AIRLESS_AUTHORITY_HOST: emu.authorityHost,
      AIRLESS_CA_PEM: emu.caPem,
    });

  it('maps the name, authenticates through the challenge and reads the value', async () => {
    const source = secretSourceFor(
      { backend: 'azure_key_vault', options: { vault_url: 'https://x.vault.azure.net' } },
      kv(),
    );
    expect(await source.get('db_password')).toBe('s3cr3t-db');
    const prefixed = secretSourceFor(
      {
        backend: 'azure_key_vault',
        options: { vault_url: 'https://x.vault.azure.net', variables_prefix: 'hdinsight-aks-variables' },
      },
      kv(),
    );
    expect(await prefixed.get('api-secret')).toBe(emu.clientSecret);
  });
  it('a missing secret is NotFound, naming only the secret', async () => {
    const source = secretSourceFor(
      { backend: 'azure_key_vault', options: { vault_url: 'https://x.vault.azure.net' } },
      kv(),
    );
    const e = await failure(source.get('nope'));
    expect(e.name).toBe('NotFound');
    expect(e.message).not.toContain(emu.clientSecret);
  });
});

// No local engine exists for Secrets Manager or SSM: these use aws-sdk-client-mock on the real SDK clients.
describe('AWS Secrets Manager and SSM backends (aws-sdk-client-mock)', () => {
  it('Secrets Manager: SecretId prefix/name, SecretString, NotFound mapped', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand, { SecretId: 'airflow/variables/api_key' }).resolves({ SecretString: 'k1' });
    sm.on(GetSecretValueCommand, { SecretId: 'airflow/variables/gone' }).rejects(
      new ResourceNotFoundException({ message: 'no', $metadata: { httpStatusCode: 400 } }),
    );
    const client = new SecretsManagerClient({ region: 'eu-west-1' });
    const source = secretSourceFor({ backend: 'aws_secrets_manager', options: {} }, runtime, {
      secretsManager: client,
    });
    expect(await source.get('api_key')).toBe('k1');
    expect((await failure(source.get('gone'))).name).toBe('NotFound');
    sm.restore();
  });
  it('SSM: /prefix/name, decrypted; throttling and access errors mapped', async () => {
    const ssm = mockClient(SSMClient);
    ssm
      .on(GetParameterCommand, { Name: '/team/vars/pw', WithDecryption: true })
      .resolves({ Parameter: { Value: 'p1' } });
    ssm
      .on(GetParameterCommand, { Name: '/team/vars/missing' })
      .rejects(new ParameterNotFound({ message: 'x', $metadata: {} }));
    const throttled = Object.assign(new Error('slow down'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    ssm.on(GetParameterCommand, { Name: '/team/vars/busy' }).rejects(throttled);
    const denied = Object.assign(new Error('no'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    ssm.on(GetParameterCommand, { Name: '/team/vars/denied' }).rejects(denied);
    const client = new SSMClient({ region: 'eu-west-1' });
    const source = secretSourceFor({ backend: 'aws_ssm', options: { prefix: 'team/vars' } }, runtime, {
      ssm: client,
    });
    expect(await source.get('pw')).toBe('p1');
    expect((await failure(source.get('missing'))).name).toBe('NotFound');
    expect((await failure(source.get('busy'))).name).toBe('Throttled');
    expect((await failure(source.get('denied'))).name).toBe('AuthFailed');
    ssm.restore();
  });
});
