import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authorizerFor, clearIdentityCache } from '../../src/clients/identity.ts';
import { readRuntimeConfig } from '../../src/clients/runtime-config.ts';
import type { SecretSource } from '../../src/clients/secrets.ts';
import { startEmulators, type RunningEmulators } from '../../src/local/emulators/index.ts';

let emu: RunningEmulators;
beforeAll(async () => {
  emu = await startEmulators();
});
afterAll(() => emu.close());
beforeEach(() => clearIdentityCache());

const secretsOf = (values: Record<string, string>): SecretSource & { reads: string[] } => {
  const reads: string[] = [];
  return {
    reads,
    get: async (name) => (reads.push(name), values[name] ?? Promise.reject(new Error(`no ${name}`))),
  };
};
const runtime = () =>
  readRuntimeConfig({ AIRLESS_AUTHORITY_HOST: emu.authorityHost, AIRLESS_CA_PEM: emu.caPem });
const tokensIssued = async () =>
  ((await (await fetch(`${emu.url}/_admin/stats`)).json()) as { tokensIssued: number }).tokensIssued;
const connection = {
  name: 'hdi',
  type: 'azure_client_credentials' as const,
  fields: { tenant_id: { secret: 't' }, client_id: 'CLIENT', client_secret: { secret: 's' } },
};

describe('identity', () => {
  it('client credentials through @azure/identity against the emulated authority; token cached', async () => {
    const secrets = secretsOf({ t: emu.tenantId, s: emu.clientSecret });
    const conn = { ...connection, fields: { ...connection.fields, client_id: emu.clientId } };
    const before = await tokensIssued();
    const auth = authorizerFor(conn, secrets, runtime(), 'https://management.azure.com/.default');
    const first = await auth.headers();
    expect(first.authorization).toMatch(/^Bearer ey/);
    expect(
      await authorizerFor(conn, secrets, runtime(), 'https://management.azure.com/.default').headers(),
    ).toEqual(first);
    expect(await tokensIssued()).toBe(before + 1);
    auth.invalidate();
    expect((await auth.headers()).authorization).not.toBe(first.authorization);
    expect(await tokensIssued()).toBe(before + 2);
  });

  it('a wrong client secret is AuthFailed and the message holds no secret', async () => {
    const secrets = secretsOf({ t: emu.tenantId, s: 'wrong-secret-value' });
    const conn = { ...connection, fields: { ...connection.fields, client_id: emu.clientId } };
    const e = await authorizerFor(conn, secrets, runtime(), 'https://management.azure.com/.default')
      .headers()
      .catch((x: Error) => x);
    expect((e as Error).name).toBe('AuthFailed');
    expect((e as Error).message).not.toContain('wrong-secret-value');
  });

  it('genie_basic sends Basic auth from a secret password; none sends nothing', async () => {
    const secrets = secretsOf({ pw: 'p@ss' });
    const basic = authorizerFor(
      { name: 'g', type: 'genie_basic', fields: { username: 'etl', password: { secret: 'pw' } } },
      secrets,
      runtime(),
      'unused',
    );
    expect(await basic.headers()).toEqual({
      authorization: `Basic ${Buffer.from('etl:p@ss').toString('base64')}`,
    });
    expect(await authorizerFor(null, secrets, runtime(), 'unused').headers()).toEqual({});
  });

  it('a missing connection field is BadInput', async () => {
    const e = await authorizerFor(
      { name: 'g', type: 'genie_basic', fields: {} },
      secretsOf({}),
      runtime(),
      'x',
    )
      .headers()
      .catch((x: Error) => x);
    expect([(e as Error).name, (e as Error).message]).toEqual([
      'BadInput',
      "connection 'g' needs 'username'",
    ]);
  });
});
