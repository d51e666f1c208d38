import type { AppCredentials, TokenStore } from './entra.ts';
import type { Reply, ServiceRoute } from './http.ts';
import { json } from './http.ts';

export const KEY_VAULT_AUDIENCE = 'https://vault.azure.net';
const API_VERSION = /^(7\.[0-6](-preview(\.\d+)?)?|20\d\d-\d\d-\d\d(-preview)?)$/;
const ROUTE = /^\/secrets\/([0-9a-zA-Z-]{1,127})(?:\/([0-9a-f]{32}))?\/?$/;

const kvError = (status: number, code: string, message: string): Reply =>
  json(status, { error: { code, message } });

/**
 * Azure Key Vault secrets (GET only), with the challenge @azure/keyvault-secrets expects: its first
 * request carries no token and gets 401 + WWW-Authenticate naming the tenant and resource. The
 * resource is the real `https://vault.azure.net`, so a client aimed at 127.0.0.1 must set
 * `disableChallengeResourceVerification: true`.
 */
export function keyVaultRoute(
  app: AppCredentials,
  tokens: TokenStore,
  secrets: Map<string, string>,
): ServiceRoute {
  const versions = new Map<string, string>();
  const versionOf = (name: string): string => {
    let v = versions.get(name);
    if (!v) versions.set(name, (v = crypto.randomUUID().replaceAll('-', '')));
    return v;
  };
  return {
    service: 'keyvault',
    owns: (url) => url.pathname === '/secrets' || url.pathname.startsWith('/secrets/'),
    jobNameOf: () => undefined,
    error: kvError,
    handle(req) {
      const apiVersion = req.url.searchParams.get('api-version');
      if (!apiVersion || !API_VERSION.test(apiVersion)) {
        return kvError(
          400,
          'BadParameter',
          `The specified version (${apiVersion ?? 'none'}) is not recognized. Consider using the latest supported version (2025-07-01).`,
        );
      }
      const auth = tokens.check(req.headers.authorization, [KEY_VAULT_AUDIENCE], 'keyvault');
      if (!auth.ok) {
        const reply = kvError(401, 'Unauthorized', `${auth.code}: ${auth.message}`);
        reply.headers = {
          'www-authenticate': `Bearer authorization="${req.origin}/${app.tenantId}", resource="${KEY_VAULT_AUDIENCE}"`,
        };
        return reply;
      }
      if (req.method !== 'GET')
        return kvError(405, 'MethodNotAllowed', `${req.method} is not supported by this emulator.`);
      const m = ROUTE.exec(req.url.pathname);
      if (!m?.[1])
        return kvError(
          400,
          'BadParameter',
          `Invalid secret path '${req.url.pathname}'. Secret names are 1-127 characters of 0-9, a-z, A-Z and '-'.`,
        );
      const name = m[1];
      const value = secrets.get(name);
      const version = versionOf(name);
      if (value === undefined || (m[2] && m[2] !== version)) {
        return kvError(
          404,
          'SecretNotFound',
          `A secret with (name/id) ${name}${m[2] ? `/${m[2]}` : ''} was not found in this key vault.`,
        );
      }
      const now = Math.floor(Date.now() / 1000);
      return json(200, {
        value,
        id: `${req.origin}/secrets/${name}/${version}`,
        attributes: {
          enabled: true,
          created: now,
          updated: now,
          recoveryLevel: 'Recoverable+Purgeable',
          recoverableDays: 90,
        },
        tags: {},
      });
    },
  };
}
