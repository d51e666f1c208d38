import type { PlanIR } from '../compiler/ir.ts';
import type { RunTrace } from '../local/simulate/trace.ts';
import { colourState } from './colour.ts';
import { formatTable } from './table.ts';

const TIME_BASES = {
  emulated: 'emulated seconds',
  'wall-clock': 'wall-clock seconds',
  simulated: 'simulated seconds',
} as const;

/**
 * The table `airless run` ends with: each task's state, tries, when its first job was submitted
 * and when its last try ended (seconds since the run started, on the clock the footer names), its
 * job id; then the run's outcome with the figures that mean something on that engine.
 */
export function runSummary(plan: PlanIR, trace: RunTrace, engine: string, colour: boolean): string {
  const seconds = (v: number | null): string => (v === null ? '-' : v.toFixed(1));
  const real = trace.time_base !== undefined && trace.time_base !== 'simulated';
  const rows = plan.graph.topological_order.map((id) => {
    const t = trace.tasks[id]!;
    const row = [id, t.state, String(t.try_number), seconds(t.start_s), seconds(t.end_s)];
    return real ? [...row, t.job_id ?? '-'] : row;
  });
  const columns = ['task', 'state', 'tries', real ? 'submitted' : 'start', 'end'];
  const table = formatTable(real ? [...columns, 'job id'] : columns, rows, {
    colour: (column, cell) => (column === 1 ? colourState(cell, colour) : cell),
  });
  const base = TIME_BASES[trace.time_base ?? 'simulated'];
  const figures =
    engine === 'aws'
      ? `${trace.transitions} transitions, ${trace.history_events} history events`
      : `${trace.history_events} history events`;
  return [
    table,
    `(times in ${base} since the run started)`,
    '',
    `run ${trace.run_id} of ${trace.dag_id}: ${colourState(trace.state, colour)}`,
    `makespan ${seconds(trace.makespan_s)} s; ${figures}`,
  ].join('\n');
}
