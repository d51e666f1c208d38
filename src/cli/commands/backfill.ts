import type { Command } from 'commander';
import { apiErrorLines, apiTarget, callApi, type ApiTarget } from '../api-client.ts';
import { readJsonArgument } from '../json-argument.ts';
import { reportUsageError, UsageError } from '../usage.ts';
import { COMMANDS } from './index.ts';

interface BackfillOptions {
  from: string;
  to: string;
  reprocess: string;
  maxActiveRuns: string;
  conf?: string;
  backwards?: boolean;
  dryRun?: boolean;
  wait?: boolean;
  api: string;
  token?: string;
}

export function registerBackfill(program: Command): void {
  program
    .command('backfill')
    .description(COMMANDS.backfill.summary)
    .argument('<dag_id>', 'the registered DAG')
    .requiredOption('--from <date>', 'first logical date (a date, or a date-time with an offset)')
    .requiredOption('--to <date>', 'last logical date')
    .option(
      '--reprocess <behavior>',
      "intervals that already have a run: 'none', 'failed' or 'completed'",
      'none',
    )
    .option('--max-active-runs <n>', "the backfill's own limit of unfinished runs", '10')
    .option('--conf <json|file>', 'the conf of every run')
    .option('--backwards', 'newest interval first')
    .option('--dry-run', 'list the logical dates it would run, and start nothing')
    .option('--wait', 'follow the backfill until it completes')
    .option('--api <url>', 'the airless API (Airflow REST API v2)', 'http://127.0.0.1:8080')
    .option('--token <token>', 'API token (default: $AIRLESS_API_TOKEN)')
    .addHelpText(
      'after',
      '\nExit codes: 0 created (and, with --wait, every run succeeded), 1 refused or a run failed, 2 usage error.',
    )
    .action(async (dagId: string, options: BackfillOptions) => {
      try {
        process.exitCode = await backfill(dagId, options);
      } catch (error) {
        process.exitCode = reportUsageError(error);
      }
    });
}

async function backfill(dagId: string, options: BackfillOptions): Promise<number> {
  if (!/^[1-9][0-9]{0,3}$/.test(options.maxActiveRuns))
    throw new UsageError('--max-active-runs: a whole number from 1');
  const target = apiTarget(options.api, options.token);
  const body = {
    dag_id: dagId,
    from_date: options.from,
    to_date: options.to,
    run_backwards: options.backwards === true,
    reprocess_behavior: options.reprocess,
    max_active_runs: Number(options.maxActiveRuns),
    dag_run_conf: options.conf === undefined ? {} : await readJsonArgument('--conf', options.conf),
  };
  const answer = await callApi(
    target,
    'POST',
    options.dryRun ? '/api/v2/backfills/dry_run' : '/api/v2/backfills',
    body,
  );
  if (answer.status !== 200) {
    for (const line of apiErrorLines(answer)) console.error(`airless backfill: ${line}`);
    return 1;
  }
  if (options.dryRun) {
    const dates = (answer.body.backfills as Array<{ logical_date: string }>).map((b) => b.logical_date);
    for (const d of dates) console.log(d);
    console.log(`${dates.length} run${dates.length === 1 ? '' : 's'} would be started or re-run`);
    return 0;
  }
  const id = Number(answer.body.id);
  console.log(`backfill ${id} of ${dagId}: ${options.from} .. ${options.to}, reprocess ${options.reprocess}`);
  return options.wait ? follow(target, dagId, id) : 0;
}

/** Prints each run's state as it changes until the backfill completes; 1 when any run failed. */
async function follow(target: ApiTarget, dagId: string, id: number): Promise<number> {
  const seen = new Map<string, string>();
  for (;;) {
    const backfill = await callApi(target, 'GET', `/api/v2/backfills/${id}`);
    const runs = await callApi(
      target,
      'GET',
      `/api/v2/dags/${encodeURIComponent(dagId)}/dagRuns?run_type=backfill&limit=100&order_by=logical_date`,
    );
    for (const run of (runs.body.dag_runs ?? []) as Array<{ dag_run_id: string; state: string }>) {
      if (seen.get(run.dag_run_id) === run.state) continue;
      seen.set(run.dag_run_id, run.state);
      console.log(`  ${run.dag_run_id}  ${run.state}`);
    }
    if (backfill.status !== 200) {
      for (const line of apiErrorLines(backfill)) console.error(`airless backfill: ${line}`);
      return 1;
    }
    if (backfill.body.completed_at !== null) {
      const failed = [...seen.values()].filter((s) => s === 'failed').length;
      console.log(`backfill ${id} completed: ${seen.size} runs, ${failed} failed`);
      return failed === 0 ? 0 : 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
