import { createHash } from 'node:crypto';
import { DEFAULTS, defaultExpectedDurationSeconds } from '../dag/defaults.ts';
import { parseDuration } from '../dag/durations.ts';
import {
  buildGraph,
  criticalPath,
  leaves,
  roots,
  topologicalOrder,
  transitiveReduction,
} from '../dag/graph.ts';
import { parseSchedule } from '../dag/schedule.ts';
import { airflowInstant, dagDateInstant, parseDagDate } from '../dag/zoned-time.ts';
import type { DagDocument, TaskDocument } from '../dag/schema.ts';
import type { ConnectionSpec, SecretsSpec } from '../dag/vocabulary.ts';
import type { GraphIR, PlanIR, TaskIR, TriggerIR } from './ir.ts';
import type { ParamIR } from '../dag/params.ts';
import type { ScheduleIR } from '../dag/schedule.ts';
import { IR_VERSION } from './ir.ts';
import { effectiveWeights } from '../semantics/priority.ts';
import { taskConfig, templateRefs, upstreamReads } from './task-config.ts';

/**
 * Builds the IR from a validated DAG document (loadDag reported no diagnostics) and the source
 * text it came from. Pure and deterministic: same input, same IR, same bytes once serialised.
 */
export function buildIr(dag: DagDocument, sourceText: string): PlanIR {
  const defaults = dag.default_args ?? {};
  const timezone = dag.timezone ?? DEFAULTS.timezone;
  const ids = Object.keys(dag.tasks).sort();
  const upstreamOf = new Map(ids.map((id) => [id, [...new Set(dag.tasks[id]!.depends_on ?? [])].sort()]));
  const graph = buildGraph(
    ids,
    ids.flatMap((id) => upstreamOf.get(id)!.map((up) => [up, id] as const)),
  );
  const order = topologicalOrder(graph);
  const tasks = new Map(
    order.map((id) => [id, buildTask(id, dag.tasks[id]!, defaults, upstreamOf.get(id)!)] as const),
  );
  for (const task of tasks.values()) {
    for (const up of task.upstream) tasks.get(up)!.downstream.push(task.task_id);
  }
  for (const task of tasks.values()) task.downstream.sort();
  const position = new Map(order.map((id, i) => [id, i]));
  const weights = effectiveWeights(
    order.map((id) => ({
      priority_weight: tasks.get(id)!.priority_weight,
      weight_rule: dag.tasks[id]!.weight_rule ?? defaults.weight_rule ?? DEFAULTS.weight_rule,
      upstream: upstreamOf.get(id)!.map((u) => position.get(u)!),
    })),
  );
  order.forEach((id, i) => (tasks.get(id)!.priority_weight = weights[i]!));
  const graphIr: GraphIR = {
    topological_order: order,
    reduced_edges: transitiveReduction(graph),
    roots: roots(graph),
    leaves: leaves(graph),
    critical_path: criticalPath(graph, (id) => tasks.get(id)!.expected_duration_s),
  };
  return {
    ir_version: IR_VERSION,
    dag_id: dag.dag_id,
    description: dag.description ?? null,
    source_sha256: createHash('sha256').update(sourceText, 'utf8').digest('hex'),
    schedule: scheduleIr(dag.schedule ?? DEFAULTS.schedule),
    timezone,
    start_date: dagInstant(dag.start_date, timezone),
    end_date: dagInstant(dag.end_date, timezone),
    catchup: dag.catchup ?? DEFAULTS.catchup,
    max_active_runs: dag.max_active_runs ?? DEFAULTS.max_active_runs,
    max_active_tasks: dag.max_active_tasks ?? DEFAULTS.max_active_tasks,
    // ParamIR's `type` is typed as one name; the schema also allows a list of names (JSON Schema).
    params: (dag.params ?? {}) as Record<string, ParamIR>,
    connections: connectionsIr(dag.connections ?? {}),
    secrets: secretsIr(dag.secrets),
    triggers: (dag.triggers ?? []).map(({ s3, blob }): TriggerIR =>
      s3 !== undefined
        ? { s3: { bucket: s3.bucket, prefix: s3.prefix ?? '', suffix: s3.suffix ?? '' } }
        : { blob: { container: blob!.container, prefix: blob!.prefix ?? '', suffix: blob!.suffix ?? '' } },
    ),
    tasks: [...tasks.values()],
    graph: graphIr,
  };
}

type DefaultArgs = NonNullable<DagDocument['default_args']>;
type JobFields = Partial<
  Pick<
    Exclude<TaskDocument, { operator: 'empty' }>,
    'wait_for' | 'poke_interval' | 'max_poke_interval' | 'connection'
  >
>;

function buildTask(id: string, task: TaskDocument, defaults: DefaultArgs, upstream: string[]): TaskIR {
  const isJob = task.operator !== 'empty';
  const job: JobFields = task.operator === 'empty' ? {} : task;
  const config = taskConfig(task);
  const templates = templateRefs(config);
  // Keys in sorted order, as stableStringify writes them: it can then reuse the object, not copy it.
  return {
    config,
    connection: isJob ? (job.connection ?? defaults.connection ?? null) : null,
    doc: task.doc ?? null,
    downstream: [],
    execution_timeout_s:
      seconds(task.execution_timeout ?? defaults.execution_timeout) ?? DEFAULTS.execution_timeout_s,
    expected_duration_s: seconds(task.expected_duration) ?? defaultExpectedDurationSeconds(task.operator),
    max_poke_interval_s: isJob
      ? (seconds(job.max_poke_interval ?? defaults.max_poke_interval) ?? DEFAULTS.max_poke_interval_s)
      : null,
    max_retry_delay_s:
      seconds(task.max_retry_delay ?? defaults.max_retry_delay) ?? DEFAULTS.max_retry_delay_s,
    operator: task.operator,
    poke_interval_s: isJob
      ? (seconds(job.poke_interval ?? defaults.poke_interval) ?? DEFAULTS.poke_interval_s)
      : null,
    // The task's own weight here; buildIr replaces it with the effective one.
    priority_weight: task.priority_weight ?? defaults.priority_weight ?? DEFAULTS.priority_weight,
    reads: upstreamReads(templates),
    retries: task.retries ?? defaults.retries ?? DEFAULTS.retries,
    retry_delay_s: seconds(task.retry_delay ?? defaults.retry_delay) ?? DEFAULTS.retry_delay_s,
    retry_exponential_backoff:
      task.retry_exponential_backoff ??
      defaults.retry_exponential_backoff ??
      DEFAULTS.retry_exponential_backoff,
    task_id: id,
    templates,
    trigger_rule: task.trigger_rule ?? defaults.trigger_rule ?? DEFAULTS.trigger_rule,
    upstream,
    wait_for: isJob ? (job.wait_for ?? defaults.wait_for ?? DEFAULTS.wait_for) : null,
  };
}

const seconds = (value: string | number | undefined): number | undefined =>
  value === undefined ? undefined : parseDuration(value);

/** A start_date/end_date as a UTC instant: a date or a date-time without offset is read in the DAG's zone. */
function dagInstant(text: string | undefined, timezone: string): string | null {
  if (text === undefined) return null;
  const parsed = parseDagDate(text);
  if (parsed.kind === 'invalid') throw new Error(`buildIr: invalid date (validate first): ${parsed.message}`);
  return airflowInstant(new Date(dagDateInstant(parsed, timezone)));
}

function scheduleIr(source: string | null): ScheduleIR {
  const result = parseSchedule(source);
  if (!result.ok) throw new Error(`buildIr: invalid schedule (validate first): ${result.message}`);
  return result.schedule;
}

function connectionsIr(connections: NonNullable<DagDocument['connections']>): Record<string, ConnectionSpec> {
  return Object.fromEntries(
    Object.entries(connections).map(([name, { type, ...fields }]) => [name, { type, fields }]),
  );
}

function secretsIr(secrets: DagDocument['secrets']): SecretsSpec | null {
  if (!secrets) return null;
  const { backend, ...options } = secrets;
  return { backend, options: options as Record<string, string> };
}
