import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { RunningEmulators } from '../../local/emulators/index.ts';
import { startEmulators } from '../../local/emulators/index.ts';
import { applySeed, seedOptions } from '../../local/emulators/seed.ts';
import { readSeed } from '../seed-argument.ts';
import { reportUsageError, UsageError } from '../usage.ts';
import { COMMANDS } from './index.ts';

interface EmulatorsOptions {
  port: string;
  timeScale: string;
  caOut?: string;
  json?: boolean;
  seed?: string;
}

function parseOptions(o: EmulatorsOptions): { port: number; timeScale: number } {
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be an integer 0..65535, got '${o.port}'`);
  const timeScale = Number(o.timeScale);
  if (!(timeScale > 0) || !Number.isFinite(timeScale))
    throw new UsageError(`--time-scale must be a positive number, got '${o.timeScale}'`);
  return { port, timeScale };
}

function describe(emu: RunningEmulators, caFile: string): Record<string, unknown> {
  return {
    url: emu.url,
    httpsUrl: emu.httpsUrl,
    authorityHost: emu.authorityHost,
    tokenEndpoint: `${emu.httpsUrl}/${emu.tenantId}/oauth2/v2.0/token`,
    armUrl: emu.armUrl,
    keyVaultUrl: emu.keyVaultUrl,
    flinkUrls: emu.flinkUrls,
    genieUrl: emu.genieUrl,
    adminUrl: `${emu.url}/_admin`,
    tenantId: emu.tenantId,
    clientId: emu.clientId,
    clientSecret: emu.clientSecret,
    managedIdentityClientId: emu.managedIdentityClientId,
    imdsHost: emu.url,
    caFile,
  };
}

export function registerEmulators(program: Command): void {
  program
    .command('emulators')
    .description(COMMANDS.emulators.summary)
    .option('--port <n>', 'port on 127.0.0.1 (0: any free port)', '0')
    .option('--time-scale <x>', 'emulated seconds per real second', '1')
    .option('--ca-out <file>', 'where to write the self-signed CA certificate (PEM)')
    .option('--json', 'print the endpoints and credentials as one JSON line')
    .option('--seed <json|file>', 'jobs to hold from the start (e.g. dags/flink_app_lifecycle.seed.json)')
    .addHelpText(
      'after',
      '\nManaged identity: set AZURE_POD_IDENTITY_AUTHORITY_HOST to imdsHost.\nFaults: POST <url>/_admin/faults, e.g. {"kind":"throttle","service":"hdinsight","times":2}.\nExit codes: 0 stopped by a signal, 2 usage error.',
    )
    .action(async (options: EmulatorsOptions) => {
      try {
        const seed = await readSeed(options.seed);
        const base = parseOptions(options);
        const emu = await startEmulators(seed ? seedOptions(seed, base) : base);
        if (seed) applySeed(emu, seed);
        // A CA file of our own making goes when the emulators stop; one the user named stays.
        const caFile = options.caOut ?? join(tmpdir(), `airless-emulators-${emu.port}-ca.pem`);
        await writeFile(caFile, emu.caPem);
        const info = describe(emu, caFile);
        if (options.json) console.log(JSON.stringify(info));
        else {
          console.log('airless emulators (local only; the credentials below are generated for this run)');
          const width = Math.max(...Object.keys(info).map((k) => k.length));
          for (const [k, v] of Object.entries(info)) {
            console.log(`  ${k.padEnd(width)} ${typeof v === 'string' ? v : JSON.stringify(v)}`);
          }
          console.log('Press Ctrl-C to stop.');
        }
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await emu.close();
        if (options.caOut === undefined) await rm(caFile, { force: true });
        process.exitCode = 0;
      } catch (error) {
        process.exitCode = reportUsageError(error);
      }
    });
}
