import type { OperatorName } from '../../../src/dag/operators/index.ts';
import type { PlanIR, TaskIR } from '../../../src/compiler/ir.ts';
import type { TriggerRule } from '../../../src/dag/vocabulary.ts';
import {
  buildGraph,
  criticalPath,
  leaves,
  roots,
  topologicalOrder,
  transitiveReduction,
} from '../../../src/dag/graph.ts';

/** A compact way to write a test DAG: task id -> its upstreams and the few fields a test cares about. */
export interface TaskSketch {
  up?: string[];
  op?: OperatorName;
  rule?: TriggerRule;
  dur?: number;
  retries?: number;
  reads?: string[];
  exponential?: boolean;
  /** Effective priority weight; by default Airflow's downstream rule with weights of 1. */
  weight?: number;
}

/** A PlanIR with every default applied and the graph facts computed, as buildIr would give. */
export function planOf(
  tasks: Record<string, TaskSketch>,
  options: { dag_id?: string; max_active_tasks?: number; execution_timeout_s?: number } = {},
): PlanIR {
  const ids = Object.keys(tasks);
  const edges = ids.flatMap((id) => (tasks[id]!.up ?? []).map((u): [string, string] => [u, id]));
  const g = buildGraph(ids, edges);
  const order = topologicalOrder(g);
  const op = (id: string): OperatorName => tasks[id]!.op ?? 'genie';
  const dur = (id: string): number => tasks[id]!.dur ?? (op(id) === 'empty' ? 0 : 60);
  const descendants = (id: string): number => {
    const seen = new Set<string>();
    const stack = [id];
    while (stack.length > 0) {
      const at = stack.pop()!;
      for (const d of ids) {
        if (!(tasks[d]!.up ?? []).includes(at) || seen.has(d)) continue;
        seen.add(d);
        stack.push(d);
      }
    }
    return seen.size;
  };
  const ir = (id: string): TaskIR => {
    const t = tasks[id]!;
    const job = op(id) !== 'empty';
    return {
      task_id: id,
      operator: op(id),
      upstream: [...(t.up ?? [])].sort(),
      downstream: ids.filter((d) => (tasks[d]!.up ?? []).includes(id)).sort(),
      trigger_rule: t.rule ?? 'all_success',
      retries: t.retries ?? 0,
      retry_delay_s: 30,
      retry_exponential_backoff: t.exponential ?? false,
      max_retry_delay_s: t.exponential ? 600 : null,
      execution_timeout_s: options.execution_timeout_s ?? 3600,
      expected_duration_s: dur(id),
      wait_for: job ? 'FINISHED' : null,
      poke_interval_s: job ? 15 : null,
      max_poke_interval_s: job ? 300 : null,
      priority_weight: t.weight ?? 1 + descendants(id),
      connection: null,
      config: job ? { job_name: `${id}-{{ run_id }}` } : {},
      templates: [],
      reads: (t.reads ?? []).map((task) => ({ task, field: 'job_id' })),
      doc: null,
    };
  };
  return {
    ir_version: 1,
    dag_id: options.dag_id ?? 'test_dag',
    description: null,
    source_sha256: '0'.repeat(64),
    schedule: { kind: 'none' },
    timezone: 'UTC',
    start_date: null,
    end_date: null,
    catchup: false,
    max_active_runs: 16,
    max_active_tasks: options.max_active_tasks ?? 16,
    params: {},
    connections: {},
    secrets: null,
    triggers: [],
    tasks: order.map(ir),
    graph: {
      topological_order: order,
      reduced_edges: transitiveReduction(g),
      roots: roots(g),
      leaves: leaves(g),
      critical_path: criticalPath(g, dur),
    },
  };
}
