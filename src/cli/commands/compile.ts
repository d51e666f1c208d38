import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { buildIr } from '../../compiler/build-ir.ts';
import { CompileRefusal } from '../../compiler/compile-refusal.ts';
import type { ReportSection, Target } from '../../compiler/target.ts';
import { TARGETS } from '../../compiler/targets.ts';
import { findDagFiles } from '../dag-files.ts';
import { checkUniqueDagIds, diagnosticLines, loadDagFiles, plural } from '../load-dags.ts';
import { formatTable } from '../table.ts';
import { reportUsageError, UsageError } from '../usage.ts';
import { COMMANDS } from './index.ts';

interface CompileOptions {
  target: string;
  out: string;
  check?: boolean;
  report?: boolean;
  prune?: boolean;
  validate?: boolean;
}

interface Output {
  path: string;
  content: string;
}

export function registerCompile(program: Command): void {
  program
    .command('compile')
    .description(COMMANDS.compile.summary)
    .argument(
      '<paths...>',
      'DAG files, or directories searched for *.yaml, *.yml, *.json (not *.conf.json, *.seed.json)',
    )
    .addOption(
      new Option('--target <name>', 'what to produce; all = every registered target')
        .choices([...TARGETS.map((t) => t.name), 'all'])
        .default('plan'),
    )
    .requiredOption('--out <dir>', 'directory the compiled files go to')
    .option('--check', 'write nothing; exit 1 if any file in --out is missing, differs or is stale')
    .option(
      '--prune',
      'remove files in --out that a target wrote for a DAG no longer there (e.g. a renamed dag_id)',
    )
    .option('--report', "print each target's report as a table per DAG")
    .option('--validate', "also check each output with its format's validator (aws: asl-validator)")
    .addHelpText(
      'after',
      `\nTargets: ${TARGETS.map((t) => `${t.name} (<dag_id>${t.fileSuffix})`).join(', ')}.` +
        '\nExit codes: 0 ok, 1 invalid DAG, failed target or drift (--check), 2 usage error.',
    )
    .action(async (paths: string[], options: CompileOptions) => {
      try {
        process.exitCode = await compile(paths, options);
      } catch (error) {
        process.exitCode = reportUsageError(error);
      }
    });
}

async function compile(paths: string[], options: CompileOptions): Promise<number> {
  const targets = options.target === 'all' ? [...TARGETS] : TARGETS.filter((t) => t.name === options.target);
  const files = await findDagFiles(paths);
  if (files.length === 0) throw new UsageError(`no DAG files found in ${paths.join(', ')}`);
  const loaded = await loadDagFiles(files);
  checkUniqueDagIds(loaded);
  const problems = diagnosticLines(loaded);
  if (problems.length > 0) {
    for (const line of problems) console.error(line);
    console.error(`compile failed: ${plural(problems.length, 'error')}; nothing written`);
    return 1;
  }
  const outputs: Output[] = [];
  const reports: Array<[dagId: string, sections: ReportSection[]]> = [];
  let failed = false;
  for (const { file, text, dag } of loaded) {
    const ir = buildIr(dag!, text);
    const sections: ReportSection[] = [];
    for (const target of targets) {
      try {
        outputs.push({
          path: join(options.out, `${ir.dag_id}${target.fileSuffix}`),
          content: target.emit(ir, { validate: options.validate }),
        });
        if (options.report && target.report) sections.push(target.report(ir));
      } catch (error) {
        if (!(error instanceof CompileRefusal)) throw error;
        failed = true;
        console.error(`${file}: error: target ${target.name}: ${error.message}`);
      }
    }
    if (options.report) reports.push([ir.dag_id, sections]);
  }
  if (failed) return 1;
  const code = options.check
    ? await checkOutputs(
        outputs,
        targets,
        options.out,
        `airless compile ${paths.join(' ')} --target ${options.target} --out ${options.out} --prune`,
      )
    : await writeOutputs(outputs, options.out, options.prune ? targets : []);
  for (const [dagId, sections] of reports) printReport(dagId, sections);
  return code;
}

async function writeOutputs(outputs: Output[], out: string, prune: Target[]): Promise<number> {
  await mkdir(out, { recursive: true });
  for (const { path, content } of outputs) {
    await writeFile(path, content);
    console.log(`wrote ${path}`);
  }
  for (const path of await staleFiles(outputs, prune, out)) {
    await rm(path);
    console.log(`removed ${path}`);
  }
  return 0;
}

/** Files in `out` with a target's suffix that no DAG compiled now produces. */
async function staleFiles(outputs: Output[], targets: Target[], out: string): Promise<string[]> {
  const expected = new Set(outputs.map((o) => o.path));
  const present = await readdir(out).catch(() => [] as string[]);
  return present
    .sort()
    .map((name) => join(out, name))
    .filter((path) => targets.some((t) => path.endsWith(t.fileSuffix)) && !expected.has(path));
}

/** Compares with what is in `out`: missing, drifted, and stale files (a target's suffix, no DAG). */
async function checkOutputs(outputs: Output[], targets: Target[], out: string, fix: string): Promise<number> {
  const problems: string[] = [];
  for (const { path, content } of outputs) {
    const existing = await readFile(path, 'utf8').catch(() => null);
    if (existing === null) problems.push(`missing: ${path}`);
    else if (existing !== content) problems.push(`drifted: ${path}`);
  }
  for (const path of await staleFiles(outputs, targets, out)) problems.push(`stale: ${path}`);
  for (const line of problems) console.error(line);
  if (problems.length > 0) {
    console.error(`${plural(problems.length, 'file')} out of date; to update them, run: ${fix}`);
    return 1;
  }
  console.log(`${plural(outputs.length, 'file')} up to date in ${out}`);
  return 0;
}

function printReport(dagId: string, sections: ReportSection[]): void {
  console.log(`\n## ${dagId}`);
  for (const section of sections) {
    console.log(`\n### ${section.title}\n\n${formatTable(section.columns, section.rows)}`);
  }
}
