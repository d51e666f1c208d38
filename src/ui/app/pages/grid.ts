import { html } from 'htm/preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { DagShape, RunsData } from '../dag-data.ts';
import { formatTime } from '../format.ts';
import { stateClass } from '../states.ts';
import { RunPanel } from './run-panel.ts';
import { TaskInstancePanel } from './task-instance.ts';

interface Selection {
  run: string;
  task: string | null;
}

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The grid's rows as HTML: at 50 runs by 100 tasks, 5,000 cells built as one string and parsed by the
 * browser in one go, instead of 5,000 virtual nodes diffed. Rows are fixed-size flex boxes, not a
 * table (no table layout passes), and rows out of view are not rendered (content-visibility).
 */
function gridBody(tasks: string[], data: RunsData, selected: Selection | null): string {
  const runIds = data.runs.map((r) => [r.dag_run_id, escape(r.dag_run_id)] as const);
  let out = '';
  for (const task of tasks) {
    const t = escape(task);
    out += `<div class="grid-row"><span class="task-name" title="${t}">${t}</span>`;
    for (const [runId, r] of runIds) {
      const state = data.instances.get(runId)?.get(task)?.state ?? null;
      const sel = selected?.run === runId && selected.task === task ? ' sel' : '';
      out += `<i class="cell ${stateClass(state)}${sel}" data-run="${r}" data-task="${t}"></i>`;
    }
    out += '</div>';
  }
  return out;
}

/** A cell's tooltip, made when the pointer first reaches it (5,000 titles up front cost time). */
function explainCell(event: MouseEvent): void {
  const cell = event.target as HTMLElement;
  if (!cell.classList.contains('cell') || cell.title) return;
  const state = [...cell.classList].find((c) => c.startsWith('s-'))?.slice(2) ?? 'none';
  cell.title = `${cell.dataset.task} · ${cell.dataset.run} · ${state === 'none' ? 'no status' : state}`;
}

/**
 * Airflow's grid: one column per run (oldest left), one row per task in topological order, each
 * cell coloured by the task instance's state. A cell opens its task instance, a column head its run.
 * One click listener for the whole grid.
 */
export function GridPage(props: {
  dag: string;
  shape: DagShape;
  data: RunsData;
  selectedRun: string | null;
  selectedTask: string | null;
  reload: () => void;
}) {
  const { dag, shape, data, reload } = props;
  const [selected, setSelected] = useState<Selection | null>(
    props.selectedRun ? { run: props.selectedRun, task: props.selectedTask } : null,
  );
  useEffect(() => {
    if (props.selectedRun) setSelected({ run: props.selectedRun, task: props.selectedTask });
  }, [props.selectedRun, props.selectedTask]);
  const marked = useRef(false);
  useLayoutEffect(() => {
    if (marked.current) return;
    marked.current = true;
    // What bench/ui.ts reads: the grid's cells are in the DOM, then (after the next frame) painted.
    const detail = { runs: data.runs.length, tasks: shape.layered.order.length };
    performance.mark('airless:grid-rendered', { detail });
    requestAnimationFrame(() => setTimeout(() => performance.mark('airless:grid-painted', { detail })));
  }, [data]);

  const onClick = (event: MouseEvent): void => {
    const cell = (event.target as HTMLElement).closest<HTMLElement>('[data-run]');
    if (!cell) return;
    setSelected({ run: cell.dataset.run!, task: cell.dataset.task ?? null });
  };
  const tasks = shape.layered.order;
  const runs = data.runs;
  const selectedRun = selected ? runs.find((r) => r.dag_run_id === selected.run) : undefined;
  const body = useMemo(() => gridBody(tasks, data, selected), [tasks, data, selected]);
  return html`
    <div class="grid-layout">
      <div class="grid-scroll">
        ${runs.length === 0 ? html`<p class="muted">No runs yet.</p>` : null}
        <div class="grid" onClick=${onClick} data-runs=${runs.length} data-tasks=${tasks.length}>
          <div class="grid-row grid-head">
            <span class="task-name">Task</span>
            ${runs.map(
              (run) =>
                html`<button
                  class="run-bar ${stateClass(run.state)} ${selected?.run === run.dag_run_id && !selected.task ? 'sel' : ''}"
                  data-run=${run.dag_run_id}
                  title=${`${run.dag_run_id}\n${run.state} · ${formatTime(run.run_after)}`}
                ></button>`,
            )}
          </div>
          <div class="grid-body" onMouseOver=${explainCell} dangerouslySetInnerHTML=${{ __html: body }}></div>
        </div>
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
