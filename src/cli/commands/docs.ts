import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { operatorReference } from '../../dag/operator-reference.ts';
import { COMMANDS } from './index.ts';

interface DocsOptions {
  out: string;
  check?: boolean;
}

export function registerDocs(program: Command): void {
  program
    .command('docs')
    .description(COMMANDS.docs.summary)
    .option('--out <file>', 'where the operator reference goes', 'docs/operators.md')
    .option('--check', 'write nothing; exit 1 if the file differs from what the schema gives')
    .addHelpText('after', '\nExit codes: 0 written or up to date, 1 out of date (--check), 2 usage error.')
    .action(async (options: DocsOptions) => {
      const text = operatorReference();
      if (options.check) {
        const existing = await readFile(options.out, 'utf8').catch(() => null);
        if (existing === text) {
          console.log(`${options.out} is up to date`);
          process.exitCode = 0;
        } else {
          console.error(
            `${options.out} is out of date; to update it, run: airless docs --out ${options.out}`,
          );
          process.exitCode = 1;
        }
        return;
      }
      await mkdir(dirname(options.out), { recursive: true });
      await writeFile(options.out, text);
      console.log(`wrote ${options.out}`);
      process.exitCode = 0;
    });
}
