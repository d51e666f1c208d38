import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.ts';

/** Builds the `airless` program; each command lives in src/cli/commands/<name>.ts. */
export function buildProgram(): Command {
  const program = new Command('airless')
    .description(
      'Compile Airflow-style DAG files to Step Functions or Durable Functions, and run them locally',
    )
    .exitOverride()
    .showHelpAfterError();
  registerCommands(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code (0 ok, 1 failure, 2 usage error). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0
        ? 0
        : 2;
    }
    // A bug must not show users a stack trace: one line, and exit 1.
    console.error(`airless: internal error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    return 1;
  }
}
