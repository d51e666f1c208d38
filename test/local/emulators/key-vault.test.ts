import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulators } from '../../../src/local/emulators/index.ts';
import { startEmulators } from '../../../src/local/emulators/index.ts';
import { armToken } from './arm-client.ts';

let emu: RunningEmulators;
let client: SecretClient;
beforeAll(async () => {
  emu = await startEmulators({ secrets: { 'extra-secret': 'v1' } });
  const tls = { tlsOptions: { ca: emu.caPem } };
  const credential = new ClientSecretCredential(emu.tenantId, emu.clientId, emu.clientSecret, {
    authorityHost: emu.authorityHost,
    disableInstanceDiscovery: true,
    ...tls,
  });
  client = new SecretClient(emu.keyVaultUrl, credential, {
    disableChallengeResourceVerification: true,
    ...tls,
  });
});
afterAll(() => emu.close());

describe('Key Vault secrets', () => {
  it('serves the flink_wordcount connection secrets through @azure/keyvault-secrets', async () => {
    const names = ['tenant-id', 'api-client-id', 'api-secret'].map((n) => `hdinsight-aks-variables-${n}`);
    const values = await Promise.all(names.map(async (n) => (await client.getSecret(n)).value));
    expect(values).toEqual([emu.tenantId, emu.clientId, emu.clientSecret]);
    expect((await client.getSecret('extra-secret')).value).toBe('v1');
  });

  it('answers an unauthenticated request with the challenge naming the tenant', async () => {
    const res = await fetch(`${emu.url}/secrets/extra-secret?api-version=2025-07-01`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer authorization="${emu.url}/${emu.tenantId}", resource="https://vault.azure.net"`,
    );
  });

  it('lists the client secret, issued tokens and secret values as sensitive, not the ids', async () => {
    const token = await armToken(emu);
    const sensitive = emu.sensitiveValues();
    expect(sensitive).toEqual(expect.arrayContaining([emu.clientSecret, token, 'v1']));
    expect(sensitive).not.toContain(emu.tenantId);
    expect(sensitive).not.toContain(emu.clientId);
  });

  it('gives SecretNotFound (404) for an unknown name', async () => {
    await expect(client.getSecret('no-such-secret')).rejects.toMatchObject({
      statusCode: 404,
      code: 'SecretNotFound',
    });
  });

  it('rejects a token issued for another audience', async () => {
    const access_token = await armToken(emu);
    const kv = await fetch(`${emu.url}/secrets/extra-secret?api-version=7.5`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(kv.status).toBe(401);
    expect(JSON.stringify(await kv.json())).toContain('InvalidAuthenticationTokenAudience');
  });

  it('rejects an unknown api-version', async () => {
    const res = await fetch(`${emu.url}/secrets/extra-secret?api-version=1.0`);
    expect(res.status).toBe(400);
  });
});
