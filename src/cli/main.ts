import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.ts';

/**
 * Builds the `airless` program. When `argv` names a command, only that command's module is
 * loaded and registered; otherwise (help, no or an unknown command) each command is listed by its
 * summary, without loading any of them.
 */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command('airless')
    .description(
      'Compile Airflow-style DAG files to Step Functions or Durable Functions, and run them locally',
    )
    .exitOverride()
    .showHelpAfterError();
  const words = argv.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  const entry =
    name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name as keyof typeof COMMANDS] : null;
  if (entry) (await entry.load())(program);
  else
    for (const [command, { summary }] of Object.entries(COMMANDS))
      program.command(command).description(summary);
  return program;
}

/** Runs the CLI; resolves to the process exit code (0 ok, 1 failure, 2 usage error). */
export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
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
