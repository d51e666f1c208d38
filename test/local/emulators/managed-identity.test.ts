import { ManagedIdentityCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulators } from '../../../src/local/emulators/index.ts';
import { startEmulators } from '../../../src/local/emulators/index.ts';
import { armClient } from './arm-client.ts';

let emu: RunningEmulators;
const saved = process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
beforeAll(async () => {
  emu = await startEmulators();
  process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = emu.url;
});
afterAll(async () => {
  if (saved === undefined) delete process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
  else process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = saved;
  await emu.close();
});

describe('managed identity (IMDS)', () => {
  it('serves ManagedIdentityCredential, and ARM accepts the token', async () => {
    const credential = new ManagedIdentityCredential({ clientId: emu.managedIdentityClientId });
    const token = await credential.getToken('https://management.azure.com/.default');
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now());
    expect((await armClient(emu, token.token).list()).status).toBe(200);
  });

  it('needs the Metadata header and knows only its identity', async () => {
    const url = `${emu.url}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com`;
    expect((await fetch(url)).status).toBe(400);
    expect((await fetch(url, { headers: { metadata: 'true' } })).status).toBe(200);
    const other = await fetch(`${url}&client_id=someone-else`, { headers: { metadata: 'true' } });
    expect(await other.json()).toMatchObject({ error_description: 'Identity not found' });
  });
});
