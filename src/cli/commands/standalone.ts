import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { isDagFileName } from '../dag-files.ts';
import { reportUsageError, UsageError } from '../usage.ts';
import { COMMANDS } from './index.ts';

interface StandaloneCliOptions {
  dags: string;
  port: string;
  engine: string;
  state: string;
  host: string;
}

export function registerStandalone(program: Command): void {
  program
    .command('standalone')
    .description(COMMANDS.standalone.summary)
    .option('--dags <dir>', 'the DAG folder to watch: an edit is an upload', 'dags')
    .option('--port <n>', 'HTTP port of the API and UI (0: any free port)', '8080')
    .option('--engine <name>', 'aws (the local Step Functions service) or azure', 'aws')
    .option(
      '--state <dir>',
      'where DAG versions, runs, task instances, logs and schedules are kept',
      '.airless',
    )
    .option('--host <address>', 'the address to listen on', '127.0.0.1')
    .addHelpText(
      'after',
      '\nRuns use the built-in emulators; AIRLESS_EMULATORS=off uses the endpoints of the environment.' +
        '\nAIRLESS_API_TOKEN=<token> makes every API call need `Authorization: Bearer <token>` (the UI asks for it);' +
        '\nwithout one it listens on loopback only. Writes a browser sends from another site are refused.' +
        '\nStops on Ctrl-C (SIGINT) or SIGTERM; a restart on the same --state resumes interrupted runs.' +
        '\nExit codes: 0 stopped by a signal, 1 failed to start, 2 usage error.',
    )
    .action(async (options: StandaloneCliOptions) => {
      try {
        process.exitCode = await standalone(options);
      } catch (error) {
        process.exitCode = reportUsageError(error);
      }
    });
}

async function standalone(options: StandaloneCliOptions): Promise<number> {
  const port = Number(options.port);
  if (!/^\d+$/.test(options.port) || port > 65535)
    throw new UsageError(`--port must be an integer 0..65535, got '${options.port}'`);
  if (options.engine === 'azure')
    throw new UsageError(
      '--engine azure is not available in standalone yet: use --engine aws (the same DAGs, API and handlers)',
    );
  if (options.engine !== 'aws')
    throw new UsageError(`--engine must be aws or azure, got '${options.engine}'`);
  const dags = await stat(options.dags).catch(() => null);
  if (!dags?.isDirectory()) throw new UsageError(`--dags ${options.dags} is not a directory`);

  const { startStandalone } = await import('../../local/standalone/standalone.ts');
  let running;
  try {
    running = await startStandalone({
      dags: options.dags,
      port,
      host: options.host,
      token: process.env.AIRLESS_API_TOKEN || undefined,
      state: options.state,
      isDagFile: isDagFileName,
    });
  } catch (error) {
    console.error(
      `airless: standalone failed to start: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await running.close();
  return 0;
}
