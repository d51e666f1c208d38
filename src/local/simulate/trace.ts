import type { FinalTaskState, RunState } from '../../compiler/ir.ts';

/** What `airless run --trace` writes: one run, its outcome and each task's final state and times. */
export interface RunTrace {
  dag_id: string;
  run_id: string;
  state: RunState;
  /** Seconds from the run's start to the end of its last task (virtual time when simulated). */
  makespan_s: number;
  transitions: number;
  history_events: number;
  tasks: Record<string, TaskTrace>;
}

export interface TaskTrace {
  state: FinalTaskState;
  /** Tries made; 0 when the task never ran (skipped or upstream_failed). */
  try_number: number;
  start_s: number | null;
  end_s: number | null;
}

/** A markdown table of the trace, tasks in the given order. */
export function traceTable(trace: RunTrace, order: readonly string[]): string {
  const cell = (v: number | null): string => (v === null ? '-' : String(Math.round(v * 1000) / 1000));
  const lines = [
    `run ${trace.run_id} of ${trace.dag_id}: ${trace.state}, makespan ${cell(trace.makespan_s)} s, ` +
      `${trace.transitions} transitions, ${trace.history_events} history events`,
    '',
    '| task | state | tries | start_s | end_s |',
    '|---|---|---|---|---|',
    ...order.map((id) => {
      const t = trace.tasks[id]!;
      return `| ${id} | ${t.state} | ${t.try_number} | ${cell(t.start_s)} | ${cell(t.end_s)} |`;
    }),
  ];
  return lines.join('\n');
}
