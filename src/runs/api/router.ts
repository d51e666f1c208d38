import type { TaskIR } from '../../compiler/ir.ts';
import { DAG_ID_PATTERN } from '../../dag/schema.ts';
import { isPeriodic, nextRunAfter } from '../../semantics/data-intervals.ts';
import { catchupRuns } from '../catchup.ts';
import { manualRunRequest } from '../run-request.ts';
import type { ApiBackend, DagEntry, RunEntry, TaskInstanceRecord } from './backend.ts';
import {
  dagDetailsResponse,
  dagResponse,
  dagRunResponse,
  importErrorResponse,
  logResponse,
  type NextRun,
  taskInstanceResponse,
  taskResponse,
  taskTryResponse,
} from './airflow-shapes.ts';
import { type ApiReply, fail, invalidFields, notFound, ok } from './http-errors.ts';
import { backfillRoute } from './backfill-routes.ts';
import { clearTaskInstances } from './clear-route.ts';
import { strictBody } from './request-body.ts';
import { listQuery, page } from './list-query.ts';

/**
 * Airflow's REST API v2, the subset airless supports, for any host (AWS, Azure, standalone): the
 * host turns its HTTP request into an ApiRequest, and this answers it from the host's ApiBackend.
 * Paths, field names, enums and error shapes are Airflow's (see airflow-shapes.ts, http-errors.ts).
 */
export interface ApiRequest {
  method: string;
  /** The URL path, `/api/v2/...`, still percent-encoded. */
  path: string;
  query: URLSearchParams;
  /** The body's text, or undefined when there is none. */
  body: string | undefined;
}

export const API_PREFIX = '/api/v2/';
const MAX_PATH = 2048;
const RUN_ID_MAX = 250;

/** A task no longer in the live version: shown with what the run recorded, and neutral task fields. */
const removedTask = (taskId: string): TaskIR => ({
  task_id: taskId,
  operator: 'empty',
  upstream: [],
  downstream: [],
  trigger_rule: 'all_success',
  retries: 0,
  retry_delay_s: 0,
  retry_exponential_backoff: false,
  max_retry_delay_s: null,
  execution_timeout_s: null,
  expected_duration_s: 0,
  wait_for: null,
  poke_interval_s: null,
  max_poke_interval_s: null,
  priority_weight: 1,
  connection: null,
  config: {},
  templates: [],
  reads: [],
  doc: null,
});

function segments(path: string): string[] | null {
  if (path.length > MAX_PATH || !path.startsWith(API_PREFIX)) return null;
  try {
    return path.slice(API_PREFIX.length).replace(/\/$/, '').split('/').map(decodeURIComponent);
  } catch {
    return null;
  }
}

const BY: Record<string, (r: RunEntry) => string> = {
  id: (r) => `${r.queued_at ?? r.run_after}\u0000${r.dag_run_id}`,
  dag_run_id: (r) => r.dag_run_id,
  logical_date: (r) => r.logical_date ?? '',
  run_after: (r) => r.run_after,
  start_date: (r) => r.start_date ?? '',
  end_date: (r) => r.end_date ?? '',
  state: (r) => r.state,
};

class Router {
  constructor(private readonly backend: ApiBackend) {}

  /** The DAG's next scheduled run after now (Airflow's next_dagrun_* fields); null when it has none. */
  private next(dag: DagEntry): NextRun | null {
    return isPeriodic(dag.plan.schedule) ? nextRunAfter(dag.plan, this.backend.now()) : null;
  }

  async route(req: ApiRequest): Promise<ApiReply> {
    const parts = segments(req.path);
    if (parts === null) return notFound('Not Found');
    const [head, dagId, sub, runId, tiPart, taskId, leaf, tryText] = parts;
    const n = parts.length;
    const method = req.method.toUpperCase();
    if (head === 'version' && n === 1 && method === 'GET') return ok({ version: '3.0.0', git_version: null });
    if (head === 'importErrors' && n === 1 && method === 'GET') return this.importErrors(req);
    if (head === 'backfills') return backfillRoute(this.backend, method, parts, req.query, req.body);
    if (head !== 'dags') return notFound('Not Found');
    if (n === 1) return method === 'GET' ? this.listDags(req) : fail(405, 'Method Not Allowed');
    if (dagId !== '~' && !DAG_ID_PATTERN.test(dagId!))
      return notFound(`The Dag with ID: \`${dagId}\` was not found`);
    if (n === 2) {
      if (method === 'GET') return this.getDag(dagId!);
      if (method === 'PATCH') return this.patchDag(dagId!, req);
      return fail(405, 'Method Not Allowed');
    }
    if (n === 3 && sub === 'details' && method === 'GET') return this.dagDetails(dagId!);
    if (n === 3 && sub === 'clearTaskInstances' && method === 'POST' && dagId !== '~') {
      return clearTaskInstances(this.backend, dagId!, req.body);
    }
    if (n === 3 && sub === 'tasks' && method === 'GET') return this.tasks(dagId!);
    if (n === 4 && sub === 'tasks' && method === 'GET') return this.task(dagId!, runId!);
    if (sub !== 'dagRuns') return notFound('Not Found');
    if (n === 3) {
      if (method === 'GET') return this.listRuns(dagId!, req);
      if (method === 'POST') return this.trigger(dagId!, req);
      return fail(405, 'Method Not Allowed');
    }
    if (dagId === '~') return notFound('Not Found');
    if (runId!.length > RUN_ID_MAX)
      return notFound(`The DagRun with dag_id: \`${dagId}\` and run_id: \`${runId}\` was not found`);
    if (n === 4) {
      if (method === 'GET') return this.getRun(dagId!, runId!);
      if (method === 'PATCH') return this.patchRun(dagId!, runId!, req);
      return fail(405, 'Method Not Allowed');
    }
    if (tiPart !== 'taskInstances' || method !== 'GET') return notFound('Not Found');
    if (n === 5) return this.taskInstances(dagId!, runId!, req);
    if (n === 6) return this.taskInstance(dagId!, runId!, taskId!);
    if (n === 7 && leaf === 'tries') return this.tries(dagId!, runId!, taskId!);
    if (n === 7 && leaf === 'links') return this.links(dagId!, runId!, taskId!);
    if (n === 8 && leaf === 'logs') return this.log(dagId!, runId!, taskId!, tryText!);
    return notFound('Not Found');
  }

  private dagNotFound = (dagId: string) => notFound(`The Dag with ID: \`${dagId}\` was not found`);
  private runNotFound = (dagId: string, runId: string) =>
    notFound(`The DagRun with dag_id: \`${dagId}\` and run_id: \`${runId}\` was not found`);

  private async listDags(req: ApiRequest): Promise<ApiReply> {
    const q = listQuery(req.query, ['dag_id', 'next_dagrun', 'last_run_start_date'], 'dag_id');
    if (!q.ok) return invalidFields(q.errors, 'query');
    const paused = req.query.get('paused');
    const pattern = req.query.get('dag_id_pattern')?.toLowerCase() ?? null;
    let dags = await this.backend.listDags();
    if (paused === 'true' || paused === 'false')
      dags = dags.filter((d) => d.is_paused === (paused === 'true'));
    if (pattern) dags = dags.filter((d) => d.dag_id.toLowerCase().includes(pattern.replaceAll('%', '')));
    dags.sort((a, b) => (a.dag_id < b.dag_id ? -1 : a.dag_id > b.dag_id ? 1 : 0));
    if (q.descending) dags.reverse();
    return ok({ dags: page(dags, q).map((d) => dagResponse(d, this.next(d))), total_entries: dags.length });
  }

  private async getDag(dagId: string): Promise<ApiReply> {
    const dag = await this.backend.getDag(dagId);
    return dag ? ok(dagResponse(dag, this.next(dag))) : this.dagNotFound(dagId);
  }

  private async dagDetails(dagId: string): Promise<ApiReply> {
    const dag = await this.backend.getDag(dagId);
    return dag ? ok(dagDetailsResponse(dag, this.next(dag))) : this.dagNotFound(dagId);
  }

  private async tasks(dagId: string): Promise<ApiReply> {
    const dag = await this.backend.getDag(dagId);
    if (!dag) return this.dagNotFound(dagId);
    return ok({ tasks: dag.plan.tasks.map(taskResponse), total_entries: dag.plan.tasks.length });
  }

  private async task(dagId: string, taskId: string): Promise<ApiReply> {
    const dag = await this.backend.getDag(dagId);
    if (!dag) return this.dagNotFound(dagId);
    const task = dag.plan.tasks.find((t) => t.task_id === taskId);
    return task ? ok(taskResponse(task)) : notFound(`Task with id ${taskId} not found`);
  }

  private async patchDag(dagId: string, req: ApiRequest): Promise<ApiReply> {
    const body = strictBody(req.body, { is_paused: 'boolean' }, ['is_paused']);
    if (!body.ok) return body.reply;
    const mask = req.query.getAll('update_mask');
    if (mask.length > 0 && !mask.every((m) => m === 'is_paused')) {
      return invalidFields([{ field: 'update_mask', message: 'only is_paused can be updated' }], 'query');
    }
    const dag = await this.backend.setPaused(dagId, body.value.is_paused as boolean);
    if (!dag) return this.dagNotFound(dagId);
    // Unpausing a catchup DAG creates the runs of the intervals missed while it was paused.
    if (!dag.is_paused) await catchupRuns(this.backend, dag, this.backend.now());
    return ok(dagResponse(dag, this.next(dag)));
  }

  private async importErrors(req: ApiRequest): Promise<ApiReply> {
    const q = listQuery(req.query, ['id', 'timestamp', 'filename'], 'id');
    if (!q.ok) return invalidFields(q.errors, 'query');
    const errors = await this.backend.importErrors();
    errors.sort((a, b) => a.id - b.id);
    if (q.descending) errors.reverse();
    return ok({ import_errors: page(errors, q).map(importErrorResponse), total_entries: errors.length });
  }

  private async listRuns(dagId: string, req: ApiRequest): Promise<ApiReply> {
    const q = listQuery(req.query, Object.keys(BY), 'id');
    if (!q.ok) return invalidFields(q.errors, 'query');
    let runs: RunEntry[];
    if (dagId === '~') {
      const dags = await this.backend.listDags();
      runs = (await Promise.all(dags.map((d) => this.backend.listRuns(d.dag_id)))).flat();
    } else {
      if (!(await this.backend.getDag(dagId))) return this.dagNotFound(dagId);
      runs = await this.backend.listRuns(dagId);
    }
    const states = new Set(req.query.getAll('state'));
    const types = new Set(req.query.getAll('run_type'));
    const from = req.query.get('logical_date_gte');
    const to = req.query.get('logical_date_lte');
    runs = runs.filter(
      (r) =>
        (states.size === 0 || states.has(r.state)) &&
        (types.size === 0 || types.has(r.run_type)) &&
        (from === null || (r.logical_date !== null && Date.parse(r.logical_date) >= Date.parse(from))) &&
        (to === null || (r.logical_date !== null && Date.parse(r.logical_date) <= Date.parse(to))),
    );
    const key = BY[q.orderBy]!;
    const keyed = runs.map((r) => [key(r), r] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    runs = keyed.map(([, r]) => r);
    if (q.descending) runs.reverse();
    return ok({ dag_runs: page(runs, q).map(dagRunResponse), total_entries: runs.length });
  }

  private async trigger(dagId: string, req: ApiRequest): Promise<ApiReply> {
    if (dagId === '~') return notFound('Not Found');
    const asked = manualRunRequest(dagId, req.body?.trim() === '' ? undefined : req.body);
    if (!asked.ok)
      return asked.errors
        ? invalidFields(asked.errors)
        : fail(asked.status === 400 ? 422 : asked.status, asked.detail);
    const outcome = await this.backend.triggerRun(asked.request);
    switch (outcome.kind) {
      case 'created':
      case 'existing':
        return ok(dagRunResponse(outcome.run));
      case 'not_found':
        return this.dagNotFound(dagId);
      case 'invalid':
        return invalidFields(outcome.errors);
      case 'conflict':
        return fail(409, outcome.message);
    }
  }

  private async getRun(dagId: string, runId: string): Promise<ApiReply> {
    const run = await this.backend.getRun(dagId, runId);
    return run ? ok(dagRunResponse(run)) : this.runNotFound(dagId, runId);
  }

  private async patchRun(dagId: string, runId: string, req: ApiRequest): Promise<ApiReply> {
    const body = strictBody(req.body, { state: 'string', note: 'string|null' }, []);
    if (!body.ok) return body.reply;
    const state = body.value.state;
    if (body.value.note !== undefined) {
      return invalidFields([{ field: 'note', message: 'airless does not keep notes on runs' }]);
    }
    if (state === 'failed') {
      const outcome = await this.backend.cancelRun(dagId, runId);
      if (outcome.kind === 'not_found') return this.runNotFound(dagId, runId);
      if (outcome.kind === 'conflict') return fail(409, outcome.message);
      return ok(dagRunResponse(outcome.run));
    }
    if (state === 'queued') {
      const run = await this.backend.getRun(dagId, runId);
      if (!run) return this.runNotFound(dagId, runId);
      if (run.state === 'queued' || run.state === 'running')
        return fail(409, `DAG run '${runId}' has not ended`);
      const dag = await this.backend.getDag(dagId);
      const cleared = dag?.plan.tasks.map((t) => t.task_id) ?? [];
      const outcome = await this.backend.rerun(dagId, runId, { cleared });
      if (outcome.kind === 'conflict') return fail(409, outcome.message);
      return outcome.kind === 'rerun' ? ok(dagRunResponse(outcome.run)) : this.runNotFound(dagId, runId);
    }
    return invalidFields([
      { field: 'state', message: "must be 'failed' (cancel) or 'queued' (clear every task)" },
    ]);
  }

  /** The run's task instances with each task's definition (the live one, or a neutral one if removed since). */
  private async instances(
    dagId: string,
    runId: string,
  ): Promise<{ run: RunEntry; items: Array<{ task: TaskIR; ti: TaskInstanceRecord }> } | ApiReply> {
    const [run, tis, dag] = await Promise.all([
      this.backend.getRun(dagId, runId),
      this.backend.taskInstances(dagId, runId),
      this.backend.getDag(dagId),
    ]);
    if (!run || !tis) return this.runNotFound(dagId, runId);
    const tasks = new Map(dag?.plan.tasks.map((t) => [t.task_id, t]));
    return { run, items: tis.map((ti) => ({ task: tasks.get(ti.task_id) ?? removedTask(ti.task_id), ti })) };
  }

  private async taskInstances(dagId: string, runId: string, req: ApiRequest): Promise<ApiReply> {
    const q = listQuery(req.query, ['id'], 'id', 1000);
    if (!q.ok) return invalidFields(q.errors, 'query');
    const found = await this.instances(dagId, runId);
    if ('status' in found) return found;
    const states = new Set(req.query.getAll('state'));
    const items = found.items.filter(({ ti }) => states.size === 0 || states.has(String(ti.state)));
    return ok({
      task_instances: page(items, q).map(({ task, ti }) => taskInstanceResponse(found.run, task, ti)),
      total_entries: items.length,
    });
  }

  private async one(dagId: string, runId: string, taskId: string) {
    const found = await this.instances(dagId, runId);
    if ('status' in found) return found;
    const item = found.items.find((i) => i.ti.task_id === taskId);
    if (!item) {
      return notFound(
        `The Task Instance with dag_id: \`${dagId}\`, run_id: \`${runId}\` and task_id: \`${taskId}\` was not found`,
      );
    }
    return { run: found.run, ...item };
  }

  private async taskInstance(dagId: string, runId: string, taskId: string): Promise<ApiReply> {
    const found = await this.one(dagId, runId, taskId);
    return 'status' in found ? found : ok(taskInstanceResponse(found.run, found.task, found.ti));
  }

  private async tries(dagId: string, runId: string, taskId: string): Promise<ApiReply> {
    const found = await this.one(dagId, runId, taskId);
    if ('status' in found) return found;
    const tries = found.ti.tries.map((t) => taskTryResponse(found.run, found.task, t));
    return ok({ task_instances: tries, total_entries: tries.length });
  }

  private async links(dagId: string, runId: string, taskId: string): Promise<ApiReply> {
    const found = await this.one(dagId, runId, taskId);
    if ('status' in found) return found;
    const last = found.ti.tries.at(-1);
    const links = found.task.operator === 'empty' ? {} : { job: last?.job_url ?? null };
    return ok({ extra_links: links, total_entries: Object.keys(links).length });
  }

  private async log(dagId: string, runId: string, taskId: string, tryText: string): Promise<ApiReply> {
    if (!/^[1-9][0-9]{0,5}$/.test(tryText)) {
      return invalidFields([{ field: 'try_number', message: 'must be a positive integer' }], 'query');
    }
    const found = await this.one(dagId, runId, taskId);
    if ('status' in found) return found;
    const t = found.ti.tries.find((x) => x.try_number === Number(tryText));
    return t ? ok(logResponse(t)) : notFound(`Try ${tryText} of task '${taskId}' was not found`);
  }
}

export function apiRouter(backend: ApiBackend): (req: ApiRequest) => Promise<ApiReply> {
  const router = new Router(backend);
  return (req) => router.route(req);
}
