/**
 * The intermediate representation: what both backends (ASL, Durable plan) read, and nothing else.
 * It is plain JSON, deterministic (keys and arrays in a fixed order), with every default applied and
 * every duration in seconds. `airless compile --target plan` writes it as `<dag_id>.plan.json`.
 */

import type { OperatorName } from '../dag/operators/index.ts';
import type { ParamIR } from '../dag/params.ts';
import type { ScheduleIR } from '../dag/schedule.ts';
import type { ConnectionSpec, SecretsSpec, TriggerRule, WaitFor } from '../dag/vocabulary.ts';

export const IR_VERSION = 1 as const;

/** Final task states, in Airflow's names. */
export const FINAL_TASK_STATES = ['success', 'failed', 'skipped', 'upstream_failed'] as const;
export type FinalTaskState = (typeof FINAL_TASK_STATES)[number];
export type RunState = 'success' | 'failed';

/** A data trigger: a new S3 object (AWS) or a new blob (Azure) whose name has the prefix and suffix. */
export type TriggerIR =
  | { s3: { bucket: string; prefix: string; suffix: string } }
  | { blob: { container: string; prefix: string; suffix: string } };

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
  connections: Record<string, ConnectionSpec>;
  secrets: SecretsSpec | null;
  /** Data triggers: a new object (conf {bucket, key, size, etag}) or blob (conf {container, name, size, etag}) matching one starts a run. */
  triggers: TriggerIR[];
  /** Tasks in topological order. */
  tasks: TaskIR[];
  graph: GraphIR;
}
