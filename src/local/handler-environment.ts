import type { TokenCredential } from '@azure/identity';
import { readRuntimeConfig, type RuntimeConfig } from '../clients/runtime-config.ts';
import type { HandlerDeps } from '../handlers/task.ts';
import { startEmulators, type EmulatorOptions, type RunningEmulators } from './emulators/index.ts';

/** What `airless run` gives the real handlers: emulators (or none) and the deps pointing at them. */
export interface HandlerEnvironment {
  /** Undefined with AIRLESS_EMULATORS=off: the handlers use the environment's endpoints. */
  emu: RunningEmulators | undefined;
  deps: HandlerDeps;
  close(): Promise<void>;
}

/**
 * Starts the emulators in-process (ARM, Entra ID, Key Vault, Flink, Genie) and points the handlers'
 * runtime config at them. The handlers' own JSON log lines are dropped: the run prints progress.
 */
export async function startHandlerEnvironment(
  print: (line: string) => void,
  options: EmulatorOptions = {},
): Promise<HandlerEnvironment> {
  if (process.env.AIRLESS_EMULATORS === 'off') {
    return {
      emu: undefined,
      deps: { runtime: readRuntimeConfig(), log: () => undefined },
      close: async () => {},
    };
  }
  const emu = await startEmulators({ timeScale: 1, ...options });
  print(`emulators on ${emu.url} (ARM, Entra ID, Key Vault, Flink, Genie)`);
  return {
    emu,
    deps: {
      runtime: emulatorRuntime(emu),
      log: () => undefined,
      secretClients: { keyVaultCredential: () => emulatorCredential(emu) },
    },
    close: () => emu.close(),
  };
}

/** The handlers' runtime config pointed at running emulators. */
export function emulatorRuntime(emu: RunningEmulators): RuntimeConfig {
  return readRuntimeConfig({
    ...process.env,
    AIRLESS_ARM_ENDPOINT: emu.armUrl,
    AIRLESS_AUTHORITY_HOST: emu.authorityHost,
    AIRLESS_KEYVAULT_URL: emu.keyVaultUrl,
    AIRLESS_FLINK_ENDPOINT: emu.flinkUrl,
    AIRLESS_GENIE_ENDPOINT: emu.genieUrl,
    AIRLESS_CA_PEM: emu.caPem,
  });
}

/** Key Vault's own credential: the emulated tenant's app registration, never written anywhere. */
export async function emulatorCredential(emu: RunningEmulators): Promise<TokenCredential> {
  const { ClientSecretCredential } = await import('@azure/identity');
  return new ClientSecretCredential(emu.tenantId, emu.clientId, emu.clientSecret, {
    authorityHost: emu.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: emu.caPem },
  });
}
