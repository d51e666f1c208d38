import { html } from 'htm/preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { DagShape, RunsData } from '../dag-data.ts';
import { formatTime } from '../format.ts';
import { stateClass } from '../states.ts';
import { RunPanel } from './run-panel.ts';
import { TaskInstancePanel } from './task-instance.ts';

interface Selection {
  run: string;
  task: string | null;
}

/**
 * Airflow's grid: one column per run (oldest left), one row per task in topological order, each
 * cell coloured by the task instance's state. A cell opens its task instance, a column head its run.
 * One click listener for the whole table (5,000 cells at 50 runs by 100 tasks).
 */
export function GridPage(props: {
  dag: string;
  shape: DagShape;
  data: RunsData;
  selectedRun: string | null;
  reload: () => void;
}) {
  const { dag, shape, data, reload } = props;
  const [selected, setSelected] = useState<Selection | null>(
    props.selectedRun ? { run: props.selectedRun, task: null } : null,
  );
  useEffect(() => {
    if (props.selectedRun) setSelected({ run: props.selectedRun, task: null });
  }, [props.selectedRun]);
  const marked = useRef(false);
  useLayoutEffect(() => {
    if (marked.current) return;
    marked.current = true;
    performance.mark('airless:grid-rendered', {
      detail: { runs: data.runs.length, tasks: shape.layered.order.length },
    });
  }, [data]);

  const onClick = (event: MouseEvent): void => {
    const cell = (event.target as HTMLElement).closest<HTMLElement>('[data-run]');
    if (!cell) return;
    setSelected({ run: cell.dataset.run!, task: cell.dataset.task ?? null });
  };
  const tasks = shape.layered.order;
  const runs = data.runs;
  const selectedRun = selected ? runs.find((r) => r.dag_run_id === selected.run) : undefined;
  return html`
    <div class="grid-layout">
      <div class="grid-scroll">
        ${runs.length === 0 ? html`<p class="muted">No runs yet.</p>` : null}
        <table class="grid" onClick=${onClick} data-runs=${runs.length} data-tasks=${tasks.length}>
          <thead>
            <tr>
              <th class="task-head">Task</th>
              ${runs.map(
                (run) =>
                  html`<th>
                    <button
                      class="run-bar ${stateClass(run.state)} ${selected?.run === run.dag_run_id && !selected.task ? 'sel' : ''}"
                      data-run=${run.dag_run_id}
                      title=${`${run.dag_run_id}\n${run.state} · ${formatTime(run.run_after)}`}
                    ></button>
                  </th>`,
              )}
            </tr>
          </thead>
          <tbody>
            ${tasks.map(
              (task) =>
                html`<tr>
                  <th class="task-name" title=${task}>${task}</th>
                  ${runs.map((run) => {
                    const state = data.instances.get(run.dag_run_id)?.get(task)?.state ?? null;
                    const sel = selected?.run === run.dag_run_id && selected.task === task;
                    return html`<td>
                      <button
                        class="cell ${stateClass(state)}${sel ? ' sel' : ''}"
                        data-run=${run.dag_run_id}
                        data-task=${task}
                        title=${`${task} · ${run.dag_run_id} · ${state ?? 'no status'}`}
                      ></button>
                    </td>`;
                  })}
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <aside class="panel">
        ${
          selected && selectedRun
            ? selected.task
              ? html`<${TaskInstancePanel}
                  key=${`${selected.run}/${selected.task}`}
                  dag=${dag}
                  run=${selectedRun}
                  task=${selected.task}
                  instance=${data.instances.get(selected.run)?.get(selected.task) ?? null}
                  reload=${reload}
                />`
              : html`<${RunPanel}
                  key=${selected.run}
                  dag=${dag}
                  run=${selectedRun}
                  instances=${data.instances.get(selected.run)}
                  reload=${reload}
                />`
            : html`<p class="muted">Select a run (column head) or a task instance (cell).</p>`
        }
      </aside>
    </div>
  `;
}
