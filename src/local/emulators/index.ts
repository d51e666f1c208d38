import { adminHandler } from './admin.ts';
import { ScaledClock } from './clock.ts';
import { EmuContext } from './context.ts';
import { TokenStore, entraRoute } from './entra.ts';
import { FaultRegistry } from './faults.ts';
import { FlinkJobManager } from './flink-jobs.ts';
import { GenieJobStore } from './genie-jobs.ts';
import { genieRoute } from './genie.ts';
import { flinkRoute } from './flink-rest.ts';
import { HdiJobStore } from './hdinsight-jobs.ts';
import { hdinsightRoute } from './hdinsight.ts';
import { keyVaultRoute } from './key-vault.ts';
import { managedIdentityRoute } from './managed-identity.ts';
import type { EmulatorOptions } from './options.ts';
import { KEY_VAULT_VARIABLES_PREFIX, resolveOptions } from './options.ts';
import { startServer } from './server.ts';
import { EmulatorStats } from './stats.ts';
import { createSelfSignedCert } from './tls-cert.ts';

export type { EmulatorOptions } from './options.ts';
export type { Fault, FaultKind, FaultSpec, Service } from './faults.ts';
export { FaultRegistry } from './faults.ts';
export { EmulatorStats } from './stats.ts';
export { HDI_API_VERSIONS } from './hdinsight.ts';

/** A running emulator: where to reach it, how to authenticate, and handles to steer it. */
export interface RunningEmulators {
  /** `http://127.0.0.1:PORT`: ARM, Flink and Genie for fetch-based clients. */
  url: string;
  /** `https://127.0.0.1:PORT` (same port): required by @azure/identity and Key Vault; trust `caPem`. */
  httpsUrl: string;
  port: number;
  /** The self-signed certificate to trust (`tlsOptions: { ca: caPem }` for Azure SDK clients). */
  caPem: string;
  /**
   * Entra ID authority host for ClientSecretCredential (`authorityHost`, with
   * `disableInstanceDiscovery: true`, since MSAL otherwise asks login.microsoftonline.com).
   */
  authorityHost: string;
  /** ARM endpoint (replaces https://management.azure.com). http; `httpsUrl` works as well. */
  armUrl: string;
  /** Key Vault URL; SecretClient needs `disableChallengeResourceVerification: true` here. */
  keyVaultUrl: string;
  /** Base URL of the first Flink JobManager, e.g. http://127.0.0.1:PORT/flink. */
  flinkUrl: string;
  /** Every JobManager's base URL by name. */
  flinkUrls: Record<string, string>;
  /** Genie base URL (http://127.0.0.1:PORT/genie); the API lives under /api/v3. */
  genieUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** The managed identity served at /metadata/identity/oauth2/token (set AZURE_POD_IDENTITY_AUTHORITY_HOST=url). */
  managedIdentityClientId: string;
  /** Key Vault secrets, editable while running. */
  secrets: Map<string, string>;
  faults: FaultRegistry;
  stats: EmulatorStats;
  clock: ScaledClock;
  state: { hdinsight: HdiJobStore; flink: Map<string, FlinkJobManager>; genie: GenieJobStore };
  /**
   * Values that must never show up in ASL, history, outputs or logs: the client secret, every
   * access token issued so far, the Key Vault secret values (tenant and client ids excepted) and
   * the Genie passwords.
   */
  sensitiveValues(): string[];
  close(): Promise<void>;
}

/** Starts the emulators on one loopback port. See EmulatorOptions for every knob and default. */
export async function startEmulators(options: EmulatorOptions = {}): Promise<RunningEmulators> {
  const o = resolveOptions(options);
  const app = { tenantId: o.tenantId, clientId: o.clientId, clientSecret: o.clientSecret };
  const clock = new ScaledClock(o.timeScale);
  const faults = new FaultRegistry();
  const stats = new EmulatorStats();
  const ctx = new EmuContext(clock, faults, stats, o.jobs, o.defaultJobRunSeconds);
  const tokens = new TokenStore(app, o.tokenLifetimeSeconds, faults);
  const secrets = new Map<string, string>([
    [`${KEY_VAULT_VARIABLES_PREFIX}-tenant-id`, o.tenantId],
    [`${KEY_VAULT_VARIABLES_PREFIX}-api-client-id`, o.clientId],
    [`${KEY_VAULT_VARIABLES_PREFIX}-api-secret`, o.clientSecret],
    ...Object.entries(o.secrets),
  ]);
  const hdinsight = new HdiJobStore(ctx, o.hdinsight);
  const flink = new Map(o.flink.jobManagers.map((name) => [name, new FlinkJobManager(name, ctx, o.flink)]));
  const genie = new GenieJobStore(ctx, o.genie.clusters, o.genie.commands, o.genie);
  const cert = createSelfSignedCert();
  const server = await startServer(
    {
      routes: [
        entraRoute(app, tokens),
        managedIdentityRoute(tokens, o.managedIdentityClientId),
        keyVaultRoute(app, tokens, secrets),
        hdinsightRoute(ctx, tokens, hdinsight, o.hdinsight),
        flinkRoute(ctx, flink),
        genieRoute(genie, o.genie.users),
      ],
      admin: adminHandler(faults, stats, clock, () => tokens.issued),
      faults,
      stats,
      cert,
    },
    o.port,
  );
  const url = `http://127.0.0.1:${server.port}`;
  const httpsUrl = `https://127.0.0.1:${server.port}`;
  const flinkUrls = Object.fromEntries(o.flink.jobManagers.map((name) => [name, `${url}/${name}`]));
  return {
    url,
    httpsUrl,
    port: server.port,
    caPem: cert.certPem,
    authorityHost: httpsUrl,
    armUrl: url,
    keyVaultUrl: httpsUrl,
    flinkUrl: `${url}/${o.flink.jobManagers[0] ?? 'flink'}`,
    flinkUrls,
    genieUrl: `${url}/genie`,
    ...app,
    managedIdentityClientId: o.managedIdentityClientId,
    secrets,
    faults,
    stats,
    clock,
    state: { hdinsight, flink, genie },
    sensitiveValues: () => [
      o.clientSecret,
      ...tokens.issuedTokens(),
      ...[...secrets.values()].filter((v) => v !== o.tenantId && v !== o.clientId),
      ...Object.values(o.genie.users),
    ],
    close: () => server.close(),
  };
}
