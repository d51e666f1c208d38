import { ClientSecretCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulators } from '../../../src/local/emulators/index.ts';
import { startEmulators } from '../../../src/local/emulators/index.ts';
import { armClient, armToken } from './arm-client.ts';

let emu: RunningEmulators;
beforeAll(async () => {
  emu = await startEmulators();
});
afterAll(() => emu.close());

const tokenRequest = (form: Record<string, string>, tenant = emu.tenantId) =>
  fetch(`${emu.url}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });

describe('Entra ID token endpoint', () => {
  const good = () => ({
    grant_type: 'client_credentials',
    client_id: emu.clientId,
    client_secret: emu.clientSecret,
    scope: 'https://management.azure.com/.default',
  });

  it('issues a bearer token for client credentials', async () => {
    const res = await tokenRequest(good());
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(String(body.access_token).split('.')).toHaveLength(3);
  });

  it.each([
    [{ client_secret: 'wrong' }, 401, 'invalid_client'],
    [{ client_id: 'someone-else' }, 400, 'unauthorized_client'],
    [{ grant_type: 'password' }, 400, 'unsupported_grant_type'],
    [{ scope: 'https://management.azure.com' }, 400, 'invalid_scope'],
  ])('rejects %j with %i %s', async (override, status, error) => {
    const res = await tokenRequest({ ...good(), ...override });
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error });
  });

  it('rejects an unknown tenant', async () => {
    const res = await tokenRequest(good(), 'other-tenant');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error_codes: number[] }).error_codes).toEqual([90002]);
  });

  it('serves @azure/identity ClientSecretCredential over https with the emulator CA', async () => {
    const credential = new ClientSecretCredential(emu.tenantId, emu.clientId, emu.clientSecret, {
      authorityHost: emu.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: emu.caPem },
    } as ConstructorParameters<typeof ClientSecretCredential>[3]);
    const before = emu.stats.requests.entra ?? 0;
    const token = await credential.getToken('https://management.azure.com/.default');
    expect(token.token.split('.')).toHaveLength(3);
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now());
    expect(emu.stats.requests.entra).toBe(before + 2); // OpenID metadata, then the token
  });

  it('makes a wrong secret fail in ClientSecretCredential too', async () => {
    const credential = new ClientSecretCredential(emu.tenantId, emu.clientId, 'not-the-secret', {
      authorityHost: emu.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: emu.caPem },
    } as ConstructorParameters<typeof ClientSecretCredential>[3]);
    await expect(credential.getToken('https://management.azure.com/.default')).rejects.toThrow(/7000215/);
  });

  it('tokens really expire after tokenLifetimeSeconds (real seconds)', async () => {
    const short = await startEmulators({ tokenLifetimeSeconds: 1 });
    try {
      const arm = armClient(short, await armToken(short));
      expect((await arm.list()).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1100));
      const res = await arm.list();
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'ExpiredAuthenticationToken' } });
    } finally {
      await short.close();
    }
  });
});
