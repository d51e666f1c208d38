import type { PlanIR, TaskIR } from '../../compiler/ir.ts';
import type {
  BackfillRecord,
  DagEntry,
  ImportErrorEntry,
  RunEntry,
  TaskInstanceRecord,
  TaskTry,
} from './backend.ts';

/**
 * The port's records in the shapes of Airflow's REST API v2 (airflow-core's
 * core_api/datamodels): DAGResponse, DAGDetailsResponse, TaskResponse, DAGRunResponse,
 * TaskInstanceResponse, TaskInstanceHistoryResponse, TaskInstancesLogResponse, BackfillResponse,
 * ImportErrorResponse. Fields airless has no notion of (pools, executors, hostnames) carry Airflow's
 * neutral values so Airflow clients parse the answers unchanged.
 */

/** When a DAG's next scheduled run would be, as the router computes it from the plan. */
export interface NextRun {
  logical_date: string;
  data_interval_start: string;
  data_interval_end: string;
  run_after: string;
}

const seconds = (from: string | null, to: string | null): number | null =>
  from && to ? (Date.parse(to) - Date.parse(from)) / 1000 : null;

/** Airflow's serialized timedelta. */
const timeDelta = (s: number | null) =>
  s === null
    ? null
    : { __type: 'TimeDelta', days: Math.floor(s / 86400), seconds: Math.floor(s % 86400), microseconds: 0 };

function scheduleSummary(plan: PlanIR): string | null {
  switch (plan.schedule.kind) {
    case 'none':
      return null;
    case 'once':
      return '@once';
    default:
      return plan.schedule.source;
  }
}

export function dagResponse(dag: DagEntry, next: NextRun | null) {
  const { plan } = dag;
  return {
    dag_id: dag.dag_id,
    dag_display_name: dag.dag_id,
    is_paused: dag.is_paused,
    is_stale: false,
    last_parsed_time: dag.updated_at,
    last_expired: null,
    bundle_name: 'dags-folder',
    bundle_version: null,
    relative_fileloc: dag.fileloc,
    fileloc: dag.fileloc,
    description: plan.description,
    timetable_summary: scheduleSummary(plan),
    timetable_description: scheduleSummary(plan),
    tags: [],
    max_active_tasks: plan.max_active_tasks,
    max_active_runs: plan.max_active_runs,
    max_consecutive_failed_dag_runs: 0,
    has_task_concurrency_limits: false,
    has_import_errors: dag.has_import_errors,
    next_dagrun_logical_date: next?.logical_date ?? null,
    next_dagrun_data_interval_start: next?.data_interval_start ?? null,
    next_dagrun_data_interval_end: next?.data_interval_end ?? null,
    next_dagrun_run_after: next?.run_after ?? null,
    owners: ['airflow'],
  };
}

/** Params as Airflow serialises them for the trigger form: {name: {value, description, schema}}. */
export function paramsResponse(plan: PlanIR): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(plan.params)) {
    const { default: value, description, ...rest } = schema;
    params[name] = {
      __class: 'airflow.sdk.definitions.param.Param',
      value: value ?? null,
      description: typeof description === 'string' ? description : null,
      schema: rest,
    };
  }
  return params;
}

export function dagDetailsResponse(dag: DagEntry, next: NextRun | null) {
  const { plan } = dag;
  return {
    ...dagResponse(dag, next),
    catchup: plan.catchup,
    dag_run_timeout: null,
    asset_expression: null,
    doc_md: plan.description,
    start_date: (plan as { start_date?: string | null }).start_date ?? null,
    end_date: (plan as { end_date?: string | null }).end_date ?? null,
    is_paused_upon_creation: null,
    params: paramsResponse(plan),
    render_template_as_native_obj: false,
    template_search_path: null,
    timezone: plan.timezone,
    last_parsed: dag.updated_at,
    default_args: {},
    owner_links: {},
    concurrency: plan.max_active_tasks,
    latest_dag_version: dagVersion(dag.dag_id, dag.version, dag.updated_at),
  };
}

export function taskResponse(task: TaskIR) {
  return {
    task_id: task.task_id,
    task_display_name: task.task_id,
    owner: 'airflow',
    start_date: null,
    end_date: null,
    trigger_rule: task.trigger_rule,
    depends_on_past: false,
    wait_for_downstream: false,
    retries: task.retries,
    queue: 'default',
    pool: 'default_pool',
    pool_slots: 1,
    execution_timeout: timeDelta(task.execution_timeout_s),
    retry_delay: timeDelta(task.retry_delay_s),
    retry_exponential_backoff: task.retry_exponential_backoff,
    priority_weight: task.priority_weight,
    weight_rule: 'absolute',
    ui_color: '#fff',
    ui_fgcolor: '#000',
    template_fields: task.templates.map((t) => t.field).filter((f, i, all) => all.indexOf(f) === i),
    downstream_task_ids: task.downstream,
    doc_md: task.doc,
    operator_name: task.operator,
    params: {},
    class_ref: { module_path: 'airless.operators', class_name: task.operator },
    is_mapped: false,
    extra_links: task.operator === 'empty' ? [] : ['job'],
  };
}

const dagVersion = (dagId: string, version: number, createdAt: string) => ({
  id: `${dagId}-${version}`,
  version_number: version,
  dag_id: dagId,
  bundle_name: 'dags-folder',
  bundle_version: null,
  created_at: createdAt,
  dag_display_name: dagId,
});

const TRIGGERED_BY: Record<RunEntry['run_type'], string> = {
  manual: 'rest_api',
  scheduled: 'timetable',
  backfill: 'backfill',
  asset_triggered: 'asset',
};

export function dagRunResponse(run: RunEntry) {
  return {
    dag_run_id: run.dag_run_id,
    dag_id: run.dag_id,
    logical_date: run.logical_date,
    queued_at: run.queued_at,
    start_date: run.start_date,
    end_date: run.end_date,
    duration: seconds(run.start_date, run.end_date),
    data_interval_start: run.data_interval_start,
    data_interval_end: run.data_interval_end,
    run_after: run.run_after,
    last_scheduling_decision: null,
    run_type: run.run_type,
    state: run.state,
    triggered_by: TRIGGERED_BY[run.run_type],
    triggering_user_name: null,
    conf: run.conf,
    note: run.note,
    dag_versions: [dagVersion(run.dag_id, run.version, run.queued_at ?? run.run_after)],
    bundle_version: null,
    dag_display_name: run.dag_id,
  };
}

/** The fields a task instance and one of its tries share. */
function instanceFields(
  run: RunEntry,
  task: TaskIR,
  at: Pick<TaskTry, 'state' | 'try_number' | 'start_date' | 'end_date'>,
) {
  return {
    task_id: task.task_id,
    dag_id: run.dag_id,
    dag_run_id: run.dag_run_id,
    map_index: -1,
    start_date: at.start_date,
    end_date: at.end_date,
    duration: seconds(at.start_date, at.end_date),
    state: at.state,
    try_number: at.try_number,
    max_tries: Math.max(task.retries, at.try_number - 1),
    task_display_name: task.task_id,
    dag_display_name: run.dag_id,
    hostname: '',
    unixname: 'airless',
    pool: 'default_pool',
    pool_slots: 1,
    queue: 'default',
    priority_weight: task.priority_weight,
    operator: task.operator,
    queued_when: null,
    scheduled_when: null,
    pid: null,
    executor: null,
    executor_config: '{}',
    dag_version: dagVersion(run.dag_id, run.version, run.queued_at ?? run.run_after),
  };
}

export function taskInstanceResponse(run: RunEntry, task: TaskIR, ti: TaskInstanceRecord) {
  return {
    id: `${run.dag_id}/${run.dag_run_id}/${task.task_id}`,
    ...instanceFields(run, task, ti),
    logical_date: run.logical_date,
    run_after: run.run_after,
    note: null,
    rendered_map_index: null,
    rendered_fields: {},
    trigger: null,
    triggerer_job: null,
  };
}

export function taskTryResponse(run: RunEntry, task: TaskIR, t: TaskTry) {
  return instanceFields(run, task, t);
}

export function logResponse(t: TaskTry) {
  const lines: Array<Record<string, unknown>> = [];
  if (t.job_id !== null) {
    lines.push({
      timestamp: t.start_date,
      event: `job ${t.job_id}`,
      level: 'info',
      job_id: t.job_id,
      job_url: t.job_url,
    });
  }
  for (const l of t.log) lines.push({ timestamp: l.timestamp, event: l.event, level: l.level });
  return { content: lines, continuation_token: null };
}

/** Airflow's BackfillResponse: the record less airless's own bookkeeping (run_backwards, decided_through). */
export function backfillResponse(b: BackfillRecord) {
  return {
    id: b.id,
    dag_id: b.dag_id,
    from_date: b.from_date,
    to_date: b.to_date,
    dag_run_conf: b.dag_run_conf,
    is_paused: b.is_paused,
    reprocess_behavior: b.reprocess_behavior,
    max_active_runs: b.max_active_runs,
    created_at: b.created_at,
    completed_at: b.completed_at,
    updated_at: b.updated_at,
    dag_display_name: b.dag_id,
  };
}

export function importErrorResponse(e: ImportErrorEntry) {
  return {
    import_error_id: e.id,
    timestamp: e.timestamp,
    filename: e.filename,
    bundle_name: 'dags-folder',
    stack_trace: e.stack_trace,
  };
}
