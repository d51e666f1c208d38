import type { Command } from 'commander';
import { dagJsonSchema } from '../../dag/schema.ts';
import { COMMANDS } from './index.ts';

/** The JSON Schema, exactly as `schema/dag.schema.json` holds it (a test keeps the two equal). */
export const schemaText = (): string => `${JSON.stringify(dagJsonSchema(), null, 2)}\n`;

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description(COMMANDS.schema.summary)
    .addHelpText(
      'after',
      '\nIn a DAG file: # yaml-language-server: $schema=<path or URL of schema/dag.schema.json>',
    )
    .action(() => {
      process.stdout.write(schemaText());
      process.exitCode = 0;
    });
}
