import { randomBytes } from 'node:crypto';
import type { FaultRegistry, Service } from './faults.ts';
import type { EmuRequest, Reply, ServiceRoute } from './http.ts';
import { json } from './http.ts';

/** The one app registration the emulated tenant knows. */
export interface AppCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

interface IssuedToken {
  clientId: string;
  audience: string;
  expiresAtMs: number;
}

export type TokenCheck = { ok: true } | { ok: false; code: string; message: string };

const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/**
 * Access tokens the emulated Entra ID issued. Tokens look like JWTs (so logs and scanners treat them
 * as such) but are checked by lookup; lifetimes are real seconds because clients cache by wall clock.
 */
export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();
  issued = 0;

  constructor(
    private readonly app: AppCredentials,
    private readonly lifetimeSeconds: number,
    private readonly faults: FaultRegistry,
  ) {}

  issue(clientId: string, audience: string): { token: string; expiresIn: number } {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      aud: audience,
      iss: `https://sts.windows.net/${this.app.tenantId}/`,
      tid: this.app.tenantId,
      appid: clientId,
      iat: now,
      exp: now + this.lifetimeSeconds,
    };
    const token = `${b64url({ typ: 'JWT', alg: 'none' })}.${b64url(claims)}.${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { clientId, audience, expiresAtMs: Date.now() + this.lifetimeSeconds * 1000 });
    this.issued += 1;
    return { token, expiresIn: this.lifetimeSeconds };
  }

  /** Every access token issued so far (for leak checks). */
  issuedTokens(): string[] {
    return [...this.tokens.keys()];
  }

  /** Checks an `Authorization` header for one of `audiences`, applying a token-expiry fault. */
  check(
    authorization: string | undefined,
    audiences: string[],
    service: Service,
    jobName?: string,
  ): TokenCheck {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m?.[1]) {
      return {
        ok: false,
        code: 'AuthenticationFailed',
        message: "Authentication failed. The 'Authorization' header is missing or not a Bearer token.",
      };
    }
    const issued = this.tokens.get(m[1]);
    if (!issued) {
      return { ok: false, code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' };
    }
    if (issued.expiresAtMs <= Date.now() || this.faults.take('token-expiry', { service, jobName })) {
      return {
        ok: false,
        code: 'ExpiredAuthenticationToken',
        message: 'The access token expiry UTC time is earlier than current UTC time.',
      };
    }
    if (!audiences.includes(issued.audience)) {
      return {
        ok: false,
        code: 'InvalidAuthenticationTokenAudience',
        message: `The access token has been obtained for wrong audience or resource '${issued.audience}'. It should exactly match with one of the allowed audiences '${audiences.join("','")}'.`,
      };
    }
    return { ok: true };
  }
}

function aadError(error: string, code: number, description: string): Reply {
  return json(400, {
    error,
    error_description: `AADSTS${code}: ${description}`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
    trace_id: crypto.randomUUID(),
    correlation_id: crypto.randomUUID(),
  });
}

const ROUTE =
  /^\/([^/]+)\/(oauth2\/v2\.0\/token|v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys)$/;

/** Entra ID: the v2.0 client-credentials token endpoint plus the OpenID metadata MSAL reads first. */
export function entraRoute(app: AppCredentials, tokens: TokenStore): ServiceRoute {
  const tokenRequest = (req: EmuRequest, tenant: string): Reply => {
    if (req.method !== 'POST')
      return aadError('invalid_request', 900561, 'The endpoint only accepts POST requests.');
    if (tenant !== app.tenantId) {
      return aadError('invalid_request', 90002, `Tenant '${tenant}' not found.`);
    }
    const form = new URLSearchParams(req.body.toString('utf8'));
    const grant = form.get('grant_type');
    if (grant !== 'client_credentials') {
      return aadError(
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${grant ?? ''}'.`,
      );
    }
    const clientId = form.get('client_id');
    if (clientId !== app.clientId) {
      return aadError(
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId ?? ''}' was not found in the directory '${tenant}'.`,
      );
    }
    if (form.get('client_secret') !== app.clientSecret) {
      return { ...aadError('invalid_client', 7000215, 'Invalid client secret provided.'), status: 401 };
    }
    const scope = form.get('scope') ?? '';
    if (!scope.endsWith('/.default')) {
      return aadError(
        'invalid_scope',
        1002012,
        `The provided value for scope '${scope}' is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.`,
      );
    }
    const audience = scope.slice(0, -'/.default'.length).replace(/\/$/, '');
    const { token, expiresIn } = tokens.issue(clientId, audience);
    return json(200, {
      token_type: 'Bearer',
      expires_in: expiresIn,
      ext_expires_in: expiresIn,
      access_token: token,
    });
  };

  return {
    service: 'entra',
    owns: (url) => ROUTE.test(url.pathname),
    jobNameOf: () => undefined,
    error: (status, code, message) => ({
      ...aadError('temporarily_unavailable', 50000, `${code}: ${message}`),
      status,
    }),
    handle(req) {
      const [, tenant = '', what] = ROUTE.exec(req.url.pathname) ?? [];
      if (what === 'oauth2/v2.0/token') return tokenRequest(req, tenant);
      if (what === 'discovery/v2.0/keys') return json(200, { keys: [] });
      const base = `${req.origin}/${tenant}`;
      return json(200, {
        issuer: `${base}/v2.0`,
        token_endpoint: `${base}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
        tenant_region_scope: 'EU',
      });
    },
  };
}
