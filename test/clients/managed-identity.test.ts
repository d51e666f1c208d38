import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizerFor, clearIdentityCache } from '../../src/clients/identity.ts';
import { readRuntimeConfig } from '../../src/clients/runtime-config.ts';

/**
 * azure_managed_identity through the real @azure/identity ManagedIdentityCredential, against a
 * loopback stand-in for the App Service identity endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER):
 * no emulator covers managed identity, and this is the protocol the credential speaks there.
 */
let server: Server;
const requests: URL[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url);
    if (req.headers['x-identity-header'] !== 'header-secret') {
      res.writeHead(401, { 'content-type': 'application/json' });
      return void res.end('{"error":"unauthorized"}');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        access_token: `mi-token-for-${url.searchParams.get('client_id') ?? 'system'}`,
        expires_on: String(Math.floor(Date.now() / 1000) + 3600),
        resource: url.searchParams.get('resource'),
        token_type: 'Bearer',
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  process.env.IDENTITY_ENDPOINT = `http://127.0.0.1:${(server.address() as { port: number }).port}/msi/token`;
  process.env.IDENTITY_HEADER = 'header-secret';
  clearIdentityCache();
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('azure_managed_identity', () => {
  it('system-assigned and user-assigned identities get tokens for the ARM resource', async () => {
    const secrets = { get: async () => 'unused' };
    const runtime = readRuntimeConfig({});
    const system = authorizerFor(
      { name: 'mi', type: 'azure_managed_identity', fields: {} },
      secrets,
      runtime,
      runtime.armScope,
    );
    expect(await system.headers()).toEqual({ authorization: 'Bearer mi-token-for-system' });
    const user = authorizerFor(
      { name: 'mi', type: 'azure_managed_identity', fields: { client_id: 'uami-1' } },
      secrets,
      runtime,
      runtime.armScope,
    );
    expect(await user.headers()).toEqual({ authorization: 'Bearer mi-token-for-uami-1' });
    expect(requests.map((u) => u.searchParams.get('resource'))).toEqual([
      'https://management.azure.com',
      'https://management.azure.com',
    ]);
  });
});
