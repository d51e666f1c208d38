/**
 * The UI's only way to the server: the Airflow REST API v2 (no private endpoints), at `../api/v2/`
 * relative to the page (the page is served at `<prefix>/ui/`). Shapes are Airflow's; only the
 * fields the UI reads are typed.
 */

export interface Dag {
  dag_id: string;
  dag_display_name?: string;
  description?: string | null;
  is_paused: boolean;
  fileloc?: string;
  timetable_summary?: string | null;
  timetable_description?: string | null;
  next_dagrun_run_after?: string | null;
  next_dagrun_logical_date?: string | null;
  has_import_errors?: boolean;
  last_parsed_time?: string | null;
  bundle_version?: string | null;
  latest_dag_version?: DagVersion | null;
}

export interface DagVersion {
  version_number: number;
  created_at?: string;
}

export interface DagDetails extends Dag {
  params?: Record<string, unknown> | null;
  max_active_runs?: number | null;
}

export interface DagRun {
  dag_run_id: string;
  dag_id: string;
  state: string;
  run_type: string;
  logical_date: string | null;
  run_after: string;
  queued_at?: string | null;
  start_date: string | null;
  end_date: string | null;
  conf?: Record<string, unknown> | null;
  note?: string | null;
  dag_versions?: DagVersion[];
}

export interface TaskInstance {
  task_id: string;
  dag_id: string;
  dag_run_id: string;
  state: string | null;
  try_number: number;
  max_tries?: number;
  start_date: string | null;
  end_date: string | null;
  duration?: number | null;
  operator?: string | null;
  queued_when?: string | null;
}

export interface Task {
  task_id: string;
  downstream_task_ids: string[];
  operator_name?: string | null;
  retries?: number | null;
  trigger_rule?: string | null;
  doc_md?: string | null;
}

export interface ImportError {
  import_error_id: number;
  filename: string;
  timestamp: string;
  stack_trace: string;
}

export interface Backfill {
  id: number;
  dag_id: string;
  from_date: string;
  to_date: string;
  is_paused: boolean;
  reprocess_behavior: string;
  max_active_runs: number;
  created_at: string;
  completed_at: string | null;
}

export interface LogLine {
  timestamp?: string;
  event: string;
  level?: string;
  /** On the line where the try submitted its job. */
  job_id?: string;
  job_url?: string | null;
}

/** FastAPI's validation error item: `loc` like ["body", "conf", "<param>"]. */
export interface FieldError {
  type?: string;
  loc: Array<string | number>;
  msg: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
  ) {
    super(typeof detail === 'string' ? detail : `HTTP ${status}`);
  }

  /** The 422 per-field errors, or none. */
  get fieldErrors(): FieldError[] {
    return Array.isArray(this.detail) ? (this.detail as FieldError[]) : [];
  }
}

const TOKEN_KEY = 'airless.token';

/** A bearer token the user pasted after a 401 (kept for this tab only). */
export const authToken = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
};

const base = (): URL => new URL('../api/v2/', location.href);

/** One call; a non-2xx answer becomes an ApiError carrying FastAPI's `detail`. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = authToken.get();
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(new URL(path.replace(/^\//, ''), base()), {
    method,
    headers,
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (!response.ok) {
    const detail = parsed && typeof parsed === 'object' && 'detail' in parsed ? parsed.detail : parsed;
    throw new ApiError(response.status, detail ?? response.statusText);
  }
  return parsed as T;
}

export const enc = encodeURIComponent;

/** The largest page the API gives of DAGs, runs and import errors (task instances: 1,000). */
const MAX_PAGE = 100;

/** Paths of the endpoints the UI uses, in one place. */
export const paths = {
  dags: () => `dags?limit=${MAX_PAGE}`,
  dag: (dag: string) => `dags/${enc(dag)}`,
  details: (dag: string) => `dags/${enc(dag)}/details`,
  tasks: (dag: string) => `dags/${enc(dag)}/tasks`,
  runs: (dag: string, limit = MAX_PAGE) => `dags/${enc(dag)}/dagRuns?limit=${limit}&order_by=-run_after`,
  postRun: (dag: string) => `dags/${enc(dag)}/dagRuns`,
  run: (dag: string, run: string) => `dags/${enc(dag)}/dagRuns/${enc(run)}`,
  tis: (dag: string, run: string) => `dags/${enc(dag)}/dagRuns/${enc(run)}/taskInstances?limit=1000`,
  ti: (dag: string, run: string, task: string) =>
    `dags/${enc(dag)}/dagRuns/${enc(run)}/taskInstances/${enc(task)}`,
  tries: (dag: string, run: string, task: string) =>
    `dags/${enc(dag)}/dagRuns/${enc(run)}/taskInstances/${enc(task)}/tries`,
  log: (dag: string, run: string, task: string, tryNumber: number) =>
    `dags/${enc(dag)}/dagRuns/${enc(run)}/taskInstances/${enc(task)}/logs/${tryNumber}`,
  links: (dag: string, run: string, task: string) =>
    `dags/${enc(dag)}/dagRuns/${enc(run)}/taskInstances/${enc(task)}/links`,
  clear: (dag: string) => `dags/${enc(dag)}/clearTaskInstances`,
  importErrors: () => `importErrors?limit=${MAX_PAGE}`,
  backfills: (dag: string) => `backfills?dag_id=${enc(dag)}`,
  postBackfill: () => 'backfills',
  cancelBackfill: (id: number) => `backfills/${id}/cancel`,
};
