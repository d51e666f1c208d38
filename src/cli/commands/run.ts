import { stat, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { buildIr } from '../../compiler/build-ir.ts';
import { CompileRefusal } from '../../compiler/compile-refusal.ts';
import type { PlanIR } from '../../compiler/ir.ts';
import type { EmulatorSeed } from '../../local/emulators/seed.ts';
import { ENGINES } from '../../local/engines.ts';
import type { RunTrace } from '../../local/simulate/trace.ts';
import { colourEnabled } from '../colour.ts';
import { diagnosticLines, loadDagFiles } from '../load-dags.ts';
import { confProblems, parseLogicalDate, readConf } from '../run-inputs.ts';
import { runSummary } from '../run-summary.ts';
import { readSeed } from '../seed-argument.ts';
import { reportUsageError, UsageError } from '../usage.ts';
import { COMMANDS } from './index.ts';

interface RunOptions {
  simulate?: boolean;
  engine: string;
  fail?: string;
  conf?: string;
  trace?: string;
  logicalDate?: string;
  seed?: string;
}

interface RunInputs {
  conf: Record<string, unknown>;
  now: Date | undefined;
  seed: EmulatorSeed | undefined;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(COMMANDS.run.summary)
    .argument('<file>', 'the DAG file')
    .option('--simulate', 'tasks take their expected_duration of virtual time instead of calling handlers')
    .option('--engine <name>', `local engine: ${Object.keys(ENGINES).join(', ')}`, 'aws')
    .option('--fail <tasks>', 'comma-separated task ids that fail on every try (with --simulate)')
    .option('--conf <json|file>', 'the run conf: a JSON object, or a file holding one')
    .option('--logical-date <date>', "the run's logical date (ds, ts, run id), as `airflow dags test`")
    .option('--seed <json|file>', 'jobs the built-in emulators hold before the run (e.g. dags/*.seed.json)')
    .option('--trace <out.json>', 'write the run trace (task states, tries, times, job ids) here')
    .addHelpText(
      'after',
      "\nThe conf is checked against the DAG's params as the HTTP API checks it, before anything runs." +
        '\nExit codes: 0 run succeeded, 1 run failed or invalid DAG, 2 usage error (bad conf included).',
    )
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
  if (options.seed !== undefined && options.simulate)
    throw new UsageError('--seed needs real handlers, not --simulate');
  if (options.seed !== undefined && process.env.AIRLESS_EMULATORS === 'off')
    throw new UsageError(
      '--seed seeds the built-in emulators; with AIRLESS_EMULATORS=off use `airless emulators --seed`',
    );
  const info = await stat(file).catch(() => null);
  if (!info) throw new UsageError(`no such file: ${file}`);
  if (info.isDirectory()) throw new UsageError(`${file} is a directory; airless run takes one DAG file`);
  const inputs: RunInputs = {
    conf: await readConf(options.conf),
    now: parseLogicalDate(options.logicalDate),
    seed: await readSeed(options.seed),
  };
  const [loaded] = await loadDagFiles([file]);
  if (!loaded!.dag) {
    for (const line of diagnosticLines([loaded!])) console.error(line);
    return 1;
  }
  const plan = buildIr(loaded!.dag, loaded!.text);
  const problems = confProblems(plan, inputs.conf);
  if (problems.length > 0) {
    for (const line of problems) console.error(`${file}: ${line}`);
    throw new UsageError(`the conf does not fit ${plan.dag_id}'s params; nothing was run`);
  }
  try {
    return await runPlan(plan, options, inputs);
  } catch (error) {
    if (!(error instanceof CompileRefusal)) throw error;
    console.error(`${file}: error: engine ${options.engine}: ${error.message}`);
    return 1;
  }
}

async function runPlan(plan: PlanIR, options: RunOptions, { conf, now, seed }: RunInputs): Promise<number> {
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
    const { seedOptions, applySeed } = await import('../../local/emulators/seed.ts');
    trace = await engine.run(plan, {
      conf,
      ...(now ? { now } : {}),
      ...(seed ? { emulators: seedOptions(seed), onEmulators: (emu) => applySeed(emu, seed) } : {}),
    });
  }
  console.log(runSummary(plan, trace, options.engine, colourEnabled()));
  if (options.trace) await writeFile(options.trace, `${JSON.stringify(trace, null, 2)}\n`);
  return trace.state === 'success' ? 0 : 1;
}
