/**
 * The intermediate representation: what both backends (ASL, Durable plan) read, and nothing else.
 * It is plain JSON, deterministic (keys and arrays in a fixed order), with every default applied and
 * every duration in seconds. `airless compile --target plan` writes it as `<dag_id>.plan.json`.
 */

export const IR_VERSION = 1 as const;

export const TRIGGER_RULES = [
  'all_success',
  'all_failed',
  'all_done',
  'all_done_min_one_success',
  'all_skipped',
  'one_success',
  'one_failed',
  'one_done',
  'none_failed',
  'none_failed_min_one_success',
  'none_skipped',
  'always',
] as const;
export type TriggerRule = (typeof TRIGGER_RULES)[number];

/** Airflow's weight rules: how a task's effective priority weight is summed. */
export const WEIGHT_RULES = ['downstream', 'upstream', 'absolute'] as const;
export type WeightRule = (typeof WEIGHT_RULES)[number];

/** Final task states, in Airflow's names. */
export const FINAL_TASK_STATES = ['success', 'failed', 'skipped', 'upstream_failed'] as const;
export type FinalTaskState = (typeof FINAL_TASK_STATES)[number];
export type RunState = 'success' | 'failed';

export const OPERATORS = ['empty', 'flink.hdinsight', 'flink.rest', 'genie'] as const;
export type OperatorName = (typeof OPERATORS)[number];

export const HDINSIGHT_ACTIONS = [
  'NEW',
  'UPDATE',
  'STATELESS_UPDATE',
  'LAST_STATE_UPDATE',
  'STOP',
  'START',
  'SAVEPOINT',
  'LIST_SAVEPOINT',
  'CANCEL',
  'DELETE',
  'RE_LAUNCH',
] as const;
export type FlinkAction = (typeof HDINSIGHT_ACTIONS)[number];

export const WAIT_FOR = ['FINISHED', 'RUNNING', 'ACCEPTED'] as const;
export type WaitFor = (typeof WAIT_FOR)[number];

/** A value looked up at run time through the DAG's `secrets` backend; never a secret value itself. */
export interface SecretRef {
  secret: string;
}
export type ValueOrSecret = string | SecretRef;

export type ConnectionType =
  'azure_client_credentials' | 'azure_managed_identity' | 'azure_default' | 'genie_basic' | 'none';

export interface ConnectionIR {
  type: ConnectionType;
  /** The remaining connection fields as written (tenant_id, client_id, client_secret, username, ...). */
  fields: Record<string, ValueOrSecret>;
}

export interface SecretsIR {
  backend: 'azure_key_vault' | 'aws_secrets_manager' | 'aws_ssm' | 'env';
  /** Backend options as written (vault_url, variables_prefix, region, ...), keys sorted. */
  options: Record<string, string>;
}

export type ScheduleIR =
  | { kind: 'none' }
  | { kind: 'once'; source: '@once' }
  /** 5-field cron; `source` is what the file said (a preset such as "@daily" or the cron itself). */
  | { kind: 'cron'; cron: string; source: string }
  | { kind: 'rate'; every_s: number; source: string };

/** A data trigger: a new S3 object (AWS) or a new blob (Azure) whose name has the prefix and suffix. */
export type TriggerIR =
  | { s3: { bucket: string; prefix: string; suffix: string } }
  | { blob: { container: string; prefix: string; suffix: string } };

/** A JSON-Schema subset for one run parameter (type, default, enum, description, minimum, ...). */
export type ParamIR = Record<string, unknown> & { type?: string; default?: unknown };

/** One `{{ ... }}` occurrence: the config field it sits in (dotted path) and the dotted reference. */
export interface TemplateRefIR {
  field: string;
  ref: string;
}

export interface TaskIR {
  task_id: string;
  operator: OperatorName;
  /** Direct upstream task ids as declared in depends_on, sorted. */
  upstream: string[];
  /** Direct downstream task ids, sorted. */
  downstream: string[];
  trigger_rule: TriggerRule;
  retries: number;
  retry_delay_s: number;
  retry_exponential_backoff: boolean;
  /** Cap on one retry delay; null when the DAG sets none. */
  max_retry_delay_s: number | null;
  /** Bound on one try; null when the DAG sets none. */
  execution_timeout_s: number | null;
  /** From `expected_duration`; defaults: 0 for `empty`, 60 for job operators. */
  expected_duration_s: number;
  /** For job operators: what the poll waits for, and its backoff; null for `empty`. */
  wait_for: WaitFor | null;
  poke_interval_s: number | null;
  max_poke_interval_s: number | null;
  /**
   * The effective priority weight (Airflow's priority_weight summed by weight_rule, see
   * src/semantics/priority.ts): when max_active_tasks slots are short, higher goes first.
   */
  priority_weight: number;
  /** Connection name (a key of PlanIR.connections), or null. */
  connection: string | null;
  /**
   * Operator-specific fields in the DAG file's snake_case names, defaults applied, strings still
   * holding their `{{ ... }}` templates (handlers render them at run time). Keys sorted.
   */
  config: Record<string, unknown>;
  /** Every template reference in `config`, sorted by field then ref. */
  templates: TemplateRefIR[];
  /** Upstream outputs this task's templates read: `tasks.<task>.output.<field>`, sorted. */
  reads: Array<{ task: string; field: string }>;
  doc: string | null;
}

export interface GraphIR {
  /** A topological order; ties broken by task id so the order is deterministic. */
  topological_order: string[];
  /** Edges of the transitive reduction, [from, to], sorted. */
  reduced_edges: Array<[string, string]>;
  roots: string[];
  leaves: string[];
  /** Longest path by expected_duration_s. */
  critical_path: { tasks: string[]; seconds: number };
}

export interface PlanIR {
  ir_version: typeof IR_VERSION;
  dag_id: string;
  description: string | null;
  /** sha256 of the source file's bytes; the content hash deployments version by. */
  source_sha256: string;
  schedule: ScheduleIR;
  timezone: string;
  /** First logical date a schedule may have, as a UTC instant (`2026-01-01T00:00:00+00:00`); null: none. */
  start_date: string | null;
  /** Last logical date a schedule may have (inclusive), as a UTC instant; null: none. */
  end_date: string | null;
  /** Scheduled runs missed since start_date (or the last scheduled run) are created. */
  catchup: boolean;
  max_active_runs: number;
  max_active_tasks: number;
  params: Record<string, ParamIR>;
  connections: Record<string, ConnectionIR>;
  secrets: SecretsIR | null;
  /** Data triggers: a new object (conf {bucket, key, size, etag}) or blob (conf {container, name, size, etag}) matching one starts a run. */
  triggers: TriggerIR[];
  /** Tasks in topological order. */
  tasks: TaskIR[];
  graph: GraphIR;
}
