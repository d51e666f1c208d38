import { z } from 'zod';
import { selectCleared } from '../clear.ts';
import type { ApiBackend } from './backend.ts';
import { taskInstanceResponse } from './airflow-shapes.ts';
import { type ApiReply, fail, invalidFields, notFound, ok } from './http-errors.ts';
import { readJsonBody } from './request-body.ts';

const no = (what: string) => z.literal(false, { error: `airless ${what}` }).optional();

/**
 * Airflow's ClearTaskInstancesBody, the fields airless supports: a clear acts on one run
 * (`dag_run_id`); clearing across runs by dates, past or future runs, or running tasks is refused.
 */
const ClearBody = z.strictObject({
  dry_run: z.boolean().default(true),
  dag_run_id: z.string({ error: 'airless clears within one run: give dag_run_id' }).max(250),
  task_ids: z.array(z.string().max(250)).max(10_000).nullable().default(null),
  only_failed: z.boolean().default(true),
  only_running: no('does not clear running tasks'),
  reset_dag_runs: z.boolean().default(true),
  include_upstream: z.boolean().default(false),
  include_downstream: z.boolean().default(false),
  include_future: no('clears within one run'),
  include_past: no('clears within one run'),
  start_date: z.null({ error: 'airless clears within one run: give dag_run_id' }).optional(),
  end_date: z.null({ error: 'airless clears within one run: give dag_run_id' }).optional(),
  run_on_latest_version: no('re-runs a run on the version it ran'),
});

/**
 * POST /api/v2/dags/{dag_id}/clearTaskInstances: the task instances the body selects (selectCleared);
 * unless dry_run, they run again in the same run (ApiBackend.rerun), the others keep their outcome.
 */
export async function clearTaskInstances(
  backend: ApiBackend,
  dagId: string,
  text: string | undefined,
): Promise<ApiReply> {
  const read = readJsonBody(text);
  if (!read.ok) return read.reply;
  const parsed = ClearBody.safeParse(read.value);
  if (!parsed.success) {
    return invalidFields(
      parsed.error.issues.map((i) => ({
        field: i.path.join('.') || ((i as { keys?: string[] }).keys ?? []).join(','),
        message: i.message,
      })),
    );
  }
  const body = parsed.data;
  const runId = body.dag_run_id;
  const [dag, run, tis] = await Promise.all([
    backend.getDag(dagId),
    backend.getRun(dagId, runId),
    backend.taskInstances(dagId, runId),
  ]);
  if (!dag) return notFound(`The Dag with ID: \`${dagId}\` was not found`);
  if (!run || !tis)
    return notFound(`The DagRun with dag_id: \`${dagId}\` and run_id: \`${runId}\` was not found`);
  const cleared = selectCleared(dag.plan, tis, body);
  const tasks = new Map(dag.plan.tasks.map((t) => [t.task_id, t]));
  const answer = (records: typeof tis) => {
    const selected = records.filter((ti) => cleared.includes(ti.task_id) && tasks.has(ti.task_id));
    return ok({
      task_instances: selected.map((ti) => taskInstanceResponse(run, tasks.get(ti.task_id)!, ti)),
      total_entries: selected.length,
    });
  };
  if (body.dry_run || cleared.length === 0) return answer(tis);
  if (run.state === 'queued' || run.state === 'running') {
    return fail(409, `DAG run '${runId}' has not ended: mark it failed first, or clear it once it ends`);
  }
  const outcome = await backend.rerun(dagId, runId, { cleared });
  if (outcome.kind === 'conflict') return fail(409, outcome.message);
  if (outcome.kind === 'not_found')
    return notFound(`The DagRun with dag_id: \`${dagId}\` and run_id: \`${runId}\` was not found`);
  return answer((await backend.taskInstances(dagId, runId)) ?? tis);
}
