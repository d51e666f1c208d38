import { html } from 'htm/preact';
import type { DagShape, RunsData } from '../dag-data.ts';
import { href } from '../routes.ts';
import { stateClass } from '../states.ts';

const NODE_W = 170;
const NODE_H = 30;
const GAP_X = 60;
const GAP_Y = 14;

/** The run a tab shows: the one in the route, else the latest. */
export const pickRun = (data: RunsData, runId: string | null) =>
  (runId ? data.runs.find((r) => r.dag_run_id === runId) : undefined) ?? data.runs.at(-1) ?? null;

/**
 * The DAG as an SVG, one column per topological depth, each task coloured by its state in the run;
 * a task opens its task instance in the grid.
 */
export function GraphPage({
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
  const states = run ? data.instances.get(run.dag_run_id) : undefined;
  const { layers } = shape.layered;
  const at = new Map<string, { x: number; y: number }>();
  layers.forEach((layer, depth) =>
    layer.forEach((task, i) =>
      at.set(task, { x: 10 + depth * (NODE_W + GAP_X), y: 10 + i * (NODE_H + GAP_Y) }),
    ),
  );
  const width = 20 + layers.length * (NODE_W + GAP_X);
  const height = 20 + Math.max(1, ...layers.map((l) => l.length)) * (NODE_H + GAP_Y);
  const edges = shape.tasks.flatMap((t) =>
    t.downstream_task_ids.flatMap((d) => {
      const a = at.get(t.task_id);
      const b = at.get(d);
      if (!a || !b) return [];
      const x1 = a.x + NODE_W;
      const y1 = a.y + NODE_H / 2;
      const x2 = b.x;
      const y2 = b.y + NODE_H / 2;
      const mid = (x1 + x2) / 2;
      return [html`<path class="edge" d=${`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`} />`];
    }),
  );
  return html`<div class="graph-page">
    <p class="run-picker">
      Run:
      <select
        value=${run?.dag_run_id ?? ''}
        onChange=${(e: Event) => (location.hash = href(dag, 'graph', (e.target as HTMLSelectElement).value))}
      >
        ${[...data.runs].reverse().map((r) => html`<option value=${r.dag_run_id}>${r.dag_run_id} (${r.state})</option>`)}
      </select>
    </p>
    <svg
      class="graph"
      width=${width}
      height=${height}
      viewBox=${`0 0 ${width} ${height}`}
      role="img"
      aria-label=${`graph of ${dag}`}
    >
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="10"
          refY="5"
          markerWidth="6"
          markerHeight="6"
          orient="auto-start-reverse"
        >
          <path d="M 0 0 L 10 5 L 0 10 z" class="arrow" />
        </marker>
      </defs>
      ${edges}
      ${shape.layered.order.map((task) => {
        const p = at.get(task)!;
        const state = states?.get(task)?.state ?? null;
        return html`<g
          class="node"
          data-task=${task}
          data-state=${state ?? 'none'}
          transform=${`translate(${p.x},${p.y})`}
        >
          <a href=${run ? href(dag, 'grid', run.dag_run_id, task) : href(dag)}>
            <title>${task}: ${state ?? 'no status'}</title>
            <rect class=${stateClass(state)} width=${NODE_W} height=${NODE_H} rx="5" />
            <text x="8" y=${NODE_H / 2 + 4}>${task.length > 22 ? `${task.slice(0, 21)}…` : task}</text>
          </a>
        </g>`;
      })}
    </svg>
  </div>`;
}
