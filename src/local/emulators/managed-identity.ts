import type { TokenStore } from './entra.ts';
import type { Reply, ServiceRoute } from './http.ts';
import { json } from './http.ts';

const PATH = '/metadata/identity/oauth2/token';

const imdsError = (status: number, error: string, description: string): Reply =>
  json(status, { error, error_description: description });

/**
 * The Azure Instance Metadata Service token endpoint, for ManagedIdentityCredential: MSAL sends
 * its IMDS requests here when AZURE_POD_IDENTITY_AUTHORITY_HOST is the emulator's http URL.
 * It knows one identity, reachable as system-assigned or by its client id.
 */
export function managedIdentityRoute(tokens: TokenStore, identityClientId: string): ServiceRoute {
  return {
    service: 'entra',
    owns: (url) => url.pathname.replace(/\/$/, '') === PATH,
    jobNameOf: () => undefined,
    error: (status, code, message) => imdsError(status, code, message),
    handle(req) {
      if (req.method !== 'GET') return imdsError(405, 'invalid_request', 'Only GET is supported.');
      if (req.headers.metadata !== 'true') {
        return imdsError(400, 'invalid_request', 'Required metadata header not specified');
      }
      const q = req.url.searchParams;
      if (q.get('api-version') !== '2018-02-01') {
        return imdsError(400, 'invalid_request', `Invalid api-version '${q.get('api-version') ?? ''}'.`);
      }
      const resource = (q.get('resource') ?? '').replace(/\/\.default$/, '').replace(/\/$/, '');
      if (!resource) return imdsError(400, 'invalid_request', 'Required query variable resource is missing');
      const wanted = q.get('client_id');
      if (wanted !== null && wanted !== identityClientId) {
        return imdsError(400, 'invalid_request', 'Identity not found');
      }
      const { token, expiresIn } = tokens.issue(identityClientId, resource);
      return json(200, {
        access_token: token,
        client_id: identityClientId,
        expires_in: String(expiresIn),
        expires_on: String(Math.floor(Date.now() / 1000) + expiresIn),
        ext_expires_in: String(expiresIn),
        not_before: String(Math.floor(Date.now() / 1000)),
        resource,
        token_type: 'Bearer',
      });
    },
  };
}
