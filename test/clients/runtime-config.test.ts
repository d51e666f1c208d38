import { describe, expect, it } from 'vitest';
import { readRuntimeConfig } from '../../src/clients/runtime-config.ts';

describe('runtime config from the environment', () => {
  it('defaults to the public Azure endpoints', () => {
    expect(readRuntimeConfig({})).toMatchObject({
      armEndpoint: 'https://management.azure.com',
      armScope: 'https://management.azure.com/.default',
      authorityHost: 'https://login.microsoftonline.com',
      keyVaultUrl: undefined,
      httpAttempts: 4,
    });
  });
  it('reads overrides and trims trailing slashes', () => {
    const c = readRuntimeConfig({
      AIRLESS_ARM_ENDPOINT: 'http://127.0.0.1:9/',
      AIRLESS_HTTP_TIMEOUT_MS: '250',
      AIRLESS_SECRETS_BACKEND: 'env',
    });
    expect([c.armEndpoint, c.httpTimeoutMs, c.secretsBackend]).toEqual(['http://127.0.0.1:9', 250, 'env']);
  });
  it('bad values are BadInput naming the variable', () => {
    expect(() => readRuntimeConfig({ AIRLESS_ARM_ENDPOINT: 'file:///etc' })).toThrow(
      /AIRLESS_ARM_ENDPOINT must be an http\(s\) URL/,
    );
    expect(() => readRuntimeConfig({ AIRLESS_HTTP_ATTEMPTS: 'many' })).toThrow(
      /AIRLESS_HTTP_ATTEMPTS must be a non-negative integer/,
    );
  });
});
