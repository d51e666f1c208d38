import { html } from 'htm/preact';
import type { DagShape, RunsData } from '../dag-data.ts';
import { formatDuration, formatTime } from '../format.ts';
import { href } from '../routes.ts';
import { stateClass } from '../states.ts';
import { pickRun } from './graph.ts';

const ROW_H = 22;
const LABEL_W = 200;
const CHART_W = 720;

/** A run's task instances on a time line: one bar per task from its start to its end (or now). */
export function GanttPage({
  dag,
  shape,
  data,
  runId,
}: {
  dag: string;
  shape: DagShape;
  data: RunsData;
  runId: string | null;
}) {
  const run = pickRun(data, runId);
  if (!run) return html`<p class="muted">No runs yet.</p>`;
  const instances = data.instances.get(run.dag_run_id);
  const now = Date.now();
  const spans = shape.layered.order.map((task) => {
    const ti = instances?.get(task);
    const start = ti?.start_date ? Date.parse(ti.start_date) : null;
    const end = ti?.end_date ? Date.parse(ti.end_date) : start === null ? null : now;
    return { task, state: ti?.state ?? null, start, end };
  });
  const starts = spans.flatMap((s) => (s.start === null ? [] : [s.start]));
  const t0 = run.start_date ? Date.parse(run.start_date) : Math.min(...starts, now);
  const t1 = Math.max(t0 + 1000, ...spans.flatMap((s) => (s.end === null ? [] : [s.end])));
  const scale = CHART_W / (t1 - t0);
  const height = spans.length * ROW_H + 30;
  return html`<div class="gantt-page">
    <p class="run-picker">
      Run:
      <select
        value=${run.dag_run_id}
        onChange=${(e: Event) => (location.hash = href(dag, 'gantt', (e.target as HTMLSelectElement).value))}
      >
        ${[...data.runs].reverse().map((r) => html`<option value=${r.dag_run_id}>${r.dag_run_id} (${r.state})</option>`)}
      </select>
      <span class="muted">
        ${formatTime(new Date(t0).toISOString())} — ${formatDuration((t1 - t0) / 1000)}</span
      >
    </p>
    <svg
      class="gantt"
      width=${LABEL_W + CHART_W + 20}
      height=${height}
      role="img"
      aria-label=${`gantt of ${run.dag_run_id}`}
    >
      ${[0, 0.25, 0.5, 0.75, 1].map(
        (f) =>
          html`<g>
            <line
              class="tick"
              x1=${LABEL_W + f * CHART_W}
              x2=${LABEL_W + f * CHART_W}
              y1="0"
              y2=${height - 20}
            />
            <text class="tick-label" x=${LABEL_W + f * CHART_W} y=${height - 6}
              >+${formatDuration(((t1 - t0) * f) / 1000) || '0s'}</text
            >
          </g>`,
      )}
      ${spans.map(
        (s, i) =>
          html`<g class="gantt-row" data-task=${s.task} data-state=${s.state ?? 'none'}>
            <text x="4" y=${i * ROW_H + 15}>${s.task.length > 26 ? `${s.task.slice(0, 25)}…` : s.task}</text>
            ${
              s.start !== null && s.end !== null
                ? html`<rect
                    class=${stateClass(s.state)}
                    x=${LABEL_W + (s.start - t0) * scale}
                    y=${i * ROW_H + 3}
                    width=${Math.max(2, (s.end - s.start) * scale)}
                    height=${ROW_H - 6}
                    rx="3"
                    ><title>${s.task}: ${s.state} ${formatDuration((s.end - s.start) / 1000)}</title></rect
                  >`
                : null
            }
          </g>`,
      )}
    </svg>
  </div>`;
}
