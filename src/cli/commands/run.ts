import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { buildIr } from '../../compiler/build-ir.ts';
import { CompileRefusal } from '../../compiler/compile-refusal.ts';
import type { PlanIR } from '../../compiler/ir.ts';
import { ENGINES } from '../../local/engines.ts';
import type { RunTrace } from '../../local/simulate/trace.ts';
import { diagnosticLines, loadDagFiles } from '../load-dags.ts';
import { colourEnabled } from '../colour.ts';
import { confProblems, parseLogicalDate, readConf } from '../run-inputs.ts';
import { runSummary } from '../run-summary.ts';
import { reportUsageError, UsageError } from '../usage.ts';

interface RunOptions {
  simulate?: boolean;
  engine: string;
  fail?: string;
  conf?: string;
  trace?: string;
  logicalDate?: string;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Run one DAG locally: --simulate replaces every task by a virtual-time simulator')
    .argument('<file>', 'the DAG file')
    .option('--simulate', 'tasks take their expected_duration of virtual time instead of calling handlers')
    .option('--engine <name>', `local engine: ${Object.keys(ENGINES).join(', ')}`, 'aws')
    .option('--fail <tasks>', 'comma-separated task ids that fail on every try (with --simulate)')
    .option('--conf <json|file>', 'the run conf: a JSON object, or a file holding one')
    .option('--logical-date <date>', "the run's logical date (ds, ts, run id), as `airflow dags test`")
    .option('--trace <out.json>', 'write the run trace (task states, tries, start and end seconds) here')
    .addHelpText('after', '\nExit codes: 0 run succeeded, 1 run failed or invalid DAG, 2 usage error.')
    .action(async (file: string, options: RunOptions) => {
      try {
        process.exitCode = await run(file, options);
      } catch (error) {
        process.exitCode = reportUsageError(error);
      }
    });
}

async function run(file: string, options: RunOptions): Promise<number> {
  const engine = ENGINES[options.engine];
  if (!engine)
    throw new UsageError(`unknown engine '${options.engine}'; one of: ${Object.keys(ENGINES).join(', ')}`);
  if (!options.simulate && options.fail) throw new UsageError('--fail needs --simulate');
  const conf = await readConf(options.conf);
  const now = parseLogicalDate(options.logicalDate);
  const [loaded] = await loadDagFiles([file]);
  if (!loaded!.dag) {
    for (const line of diagnosticLines([loaded!])) console.error(line);
    return 1;
  }
  const plan = buildIr(loaded!.dag, loaded!.text);
  const problems = confProblems(plan, conf);
  if (problems.length > 0) {
    for (const line of problems) console.error(`${file}: ${line}`);
    throw new UsageError(`the conf does not fit ${plan.dag_id}'s params; nothing was run`);
  }
  try {
    return await runPlan(plan, options, conf, now);
  } catch (error) {
    if (!(error instanceof CompileRefusal)) throw error;
    console.error(`${file}: error: engine ${options.engine}: ${error.message}`);
    return 1;
  }
}

async function runPlan(
  plan: PlanIR,
  options: RunOptions,
  conf: Record<string, unknown>,
  now: Date | undefined,
): Promise<number> {
  const engine = ENGINES[options.engine]!;
  let trace: RunTrace;
  if (options.simulate) {
    const fail = (options.fail ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const unknown = fail.filter((id) => !plan.tasks.some((t) => t.task_id === id));
    if (unknown.length > 0)
      throw new UsageError(`--fail names tasks not in ${plan.dag_id}: ${unknown.join(', ')}`);
    trace = await engine.simulate(plan, { conf, fail, ...(now ? { now } : {}) });
  } else {
    if (!engine.run) {
      throw new UsageError(`engine '${options.engine}' cannot run real handlers yet; add --simulate`);
    }
    trace = await engine.run(plan, { conf, ...(now ? { now } : {}) });
  }
  console.log(runSummary(plan, trace, options.engine, colourEnabled()));
  if (options.trace) await writeFile(options.trace, `${JSON.stringify(trace, null, 2)}\n`);
  return trace.state === 'success' ? 0 : 1;
}
