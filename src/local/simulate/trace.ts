import type { FinalTaskState, RunState } from '../../compiler/ir.ts';

/** What `airless run --trace` writes: one run, its outcome and each task's final state and times. */
export interface RunTrace {
  dag_id: string;
  run_id: string;
  state: RunState;
  /** Seconds from the run's start to the end of its last task (virtual time when simulated). */
  makespan_s: number;
  /** What the seconds count: emulated, wall-clock or simulated time (absent: simulated). */
  time_base?: 'emulated' | 'wall-clock' | 'simulated';
  /** Step Functions state transitions (0 on Durable Functions, which has none). */
  transitions: number;
  history_events: number;
  tasks: Record<string, TaskTrace>;
}

export interface TaskTrace {
  state: FinalTaskState;
  /** Tries made; 0 when the task never ran (skipped or upstream_failed). */
  try_number: number;
  /** When its first job was submitted and when its last try ended (or, simulated, started and ended). */
  start_s: number | null;
  end_s: number | null;
  /** The last job id a handler reported (real runs only). */
  job_id?: string | null;
}
