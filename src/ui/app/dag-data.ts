import { api, paths, type DagDetails, type DagRun, type Task, type TaskInstance } from './api.ts';
import { layerTasks, type Layered } from './layers.ts';
import { IDLE_MS, LIVE_MS, usePoll, type Polled } from './poll.ts';
import { isLive } from './states.ts';

/** How many runs the grid shows (Airflow's default too). */
export const GRID_RUNS = 50;

export interface DagShape {
  details: DagDetails;
  tasks: Task[];
  layered: Layered;
}

/** The DAG's details and tasks (what the Graph lays out and the grid's rows follow). */
export function useDagShape(dag: string): Polled<DagShape> {
  return usePoll(
    async () => {
      const [details, tasks] = await Promise.all([
        api<DagDetails>('GET', paths.details(dag)),
        api<{ tasks: Task[] }>('GET', paths.tasks(dag)),
      ]);
      return { details, tasks: tasks.tasks, layered: layerTasks(tasks.tasks) };
    },
    [dag],
    () => IDLE_MS * 6,
  );
}

export interface RunsData {
  /** Oldest first (the grid's left column). */
  runs: DagRun[];
  /** run id -> task id -> task instance. */
  instances: Map<string, Map<string, TaskInstance>>;
}

const settled = (before: DagRun | undefined, now: DagRun): boolean =>
  before !== undefined &&
  !isLive(now.state) &&
  before.state === now.state &&
  before.end_date === now.end_date &&
  before.start_date === now.start_date;

/**
 * The DAG's last runs and their task instances, polled: every second while a run is live. A run that
 * has ended and not changed since the last poll keeps its task instances without asking again.
 */
export function useDagRuns(dag: string, limit = GRID_RUNS): Polled<RunsData> {
  return usePoll<RunsData>(
    async (previous) => {
      const listed = await api<{ dag_runs: DagRun[] }>('GET', paths.runs(dag, limit));
      const runs = [...listed.dag_runs]
        .sort((a, b) => (a.run_after < b.run_after ? -1 : a.run_after > b.run_after ? 1 : 0))
        .slice(-limit);
      const before = new Map(previous?.runs.map((r) => [r.dag_run_id, r]));
      const instances = new Map<string, Map<string, TaskInstance>>();
      await Promise.all(
        runs.map(async (run) => {
          const kept = previous?.instances.get(run.dag_run_id);
          if (kept && settled(before.get(run.dag_run_id), run)) {
            instances.set(run.dag_run_id, kept);
            return;
          }
          const tis = await api<{ task_instances: TaskInstance[] }>('GET', paths.tis(dag, run.dag_run_id));
          instances.set(run.dag_run_id, new Map(tis.task_instances.map((ti) => [ti.task_id, ti])));
        }),
      );
      return { runs, instances };
    },
    [dag, limit],
    (data) => (data?.runs.some((r) => isLive(r.state)) ? LIVE_MS : IDLE_MS),
  );
}
