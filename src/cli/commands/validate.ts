import type { Command } from 'commander';
import { findDagFiles } from '../dag-files.ts';
import { checkUniqueDagIds, diagnosticLines, loadDagFiles, plural } from '../load-dags.ts';
import { reportUsageError, UsageError } from '../usage.ts';
import { COMMANDS } from './index.ts';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(COMMANDS.validate.summary)
    .argument(
      '<paths...>',
      'DAG files, or directories searched for *.yaml, *.yml, *.json (not *.conf.json, *.seed.json)',
    )
    .addHelpText('after', '\nExit codes: 0 all valid, 1 any invalid, 2 usage error.')
    .action(async (paths: string[]) => {
      try {
        process.exitCode = await validate(paths);
      } catch (error) {
        process.exitCode = reportUsageError(error);
      }
    });
}

async function validate(paths: string[]): Promise<number> {
  const files = await findDagFiles(paths);
  if (files.length === 0) throw new UsageError(`no DAG files found in ${paths.join(', ')}`);
  const loaded = await loadDagFiles(files);
  checkUniqueDagIds(loaded);
  for (const line of diagnosticLines(loaded)) console.log(line);
  const invalid = loaded.filter((entry) => entry.diagnostics.length > 0);
  const errors = invalid.reduce((sum, entry) => sum + entry.diagnostics.length, 0);
  console.log(
    invalid.length === 0
      ? `${plural(files.length, 'file')} valid`
      : `${plural(files.length, 'file')} checked: ${files.length - invalid.length} valid, ${invalid.length} invalid (${plural(errors, 'error')})`,
  );
  return invalid.length === 0 ? 0 : 1;
}
