import { html } from 'htm/preact';
import { type DagShape, type RunsData, useDagRuns, useDagShape } from '../dag-data.ts';
import type { Polled } from '../poll.ts';
import { href, type DagTab } from '../routes.ts';
import { STATES, stateClass } from '../states.ts';
import { BackfillPage } from './backfill.ts';
import { versionOf } from './dags.ts';
import { GanttPage } from './gantt.ts';
import { GraphPage } from './graph.ts';
import { GridPage } from './grid.ts';
import { ErrorBanner, PauseToggle } from './parts.ts';
import { TriggerPage } from './trigger.ts';

const TAB_LABELS: Array<[DagTab, string]> = [
  ['grid', 'Grid'],
  ['graph', 'Graph'],
  ['gantt', 'Gantt'],
  ['trigger', 'Trigger'],
  ['backfill', 'Backfill'],
];

/** One DAG: its header (pause switch, schedule, version), the tabs, and the tab's page. */
export function DagPage(props: { dag: string; tab: DagTab; run: string | null; task: string | null }) {
  const { dag, tab, run, task } = props;
  const shape = useDagShape(dag);
  // Asked for at once, beside the shape, so the grid's task instances load in parallel with it.
  const runs = useDagRuns(dag);
  const live = tab === 'grid' || tab === 'graph' || tab === 'gantt';
  const details = shape.data?.details;
  return html`
    <section class="page dag-page">
      <div class="dag-header">
        <h1>${details?.dag_display_name ?? dag}</h1>
        ${details ? html`<${PauseToggle} dag=${details} onChange=${shape.reload} />` : null}
        ${
          details
            ? html`<span class="muted">schedule <code>${details.timetable_summary ?? 'None'}</code></span>
                <span class="muted">version ${versionOf(details)}</span>`
            : null
        }
      </div>
      <nav class="tabs">
        ${TAB_LABELS.map(
          ([t, label]) => html`<a class=${t === tab ? 'active' : ''} href=${href(dag, t)}>${label}</a>`,
        )}
      </nav>
      <${ErrorBanner} error=${shape.error} />
      ${
        shape.data
          ? live
            ? html`<${LiveTab}
                dag=${dag}
                tab=${tab}
                run=${run}
                task=${task}
                shape=${shape.data}
                runs=${runs}
              />`
            : tab === 'trigger'
              ? html`<${TriggerPage} dag=${dag} details=${shape.data.details} />`
              : html`<${BackfillPage} dag=${dag} details=${shape.data.details} />`
          : html`<p class="muted">Loading…</p>`
      }
    </section>
  `;
}

function LiveTab({
  dag,
  tab,
  run,
  task,
  shape,
  runs,
}: {
  dag: string;
  tab: DagTab;
  run: string | null;
  task: string | null;
  shape: DagShape;
  runs: Polled<RunsData>;
}) {
  return html`
    <${ErrorBanner} error=${runs.error} />
    <div class="legend">
      ${STATES.map((s) => html`<span><i class="square ${stateClass(s)}"></i>${s}</span>`)}
      <span><i class="square ${stateClass(null)}"></i>no status</span>
    </div>
    ${
      runs.data
        ? tab === 'grid'
          ? html`<${GridPage}
              dag=${dag}
              shape=${shape}
              data=${runs.data}
              selectedRun=${run}
              selectedTask=${task}
              reload=${runs.reload}
            />`
          : tab === 'graph'
            ? html`<${GraphPage} dag=${dag} shape=${shape} data=${runs.data} runId=${run} />`
            : html`<${GanttPage} dag=${dag} shape=${shape} data=${runs.data} runId=${run} />`
        : html`<p class="muted">Loading runs…</p>`
    }
  `;
}
