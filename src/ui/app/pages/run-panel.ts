import { html } from 'htm/preact';
import { api, paths, type DagRun, type TaskInstance } from '../api.ts';
import { formatDuration, formatTime, secondsBetween } from '../format.ts';
import { href } from '../routes.ts';
import { isLive, stateClass } from '../states.ts';
import { ActionButton } from './parts.ts';

/** Clears the run's failed task instances and everything downstream of them, for real (not a dry run). */
export const clearFailed = (dag: string, run: string): Promise<unknown> =>
  api('POST', paths.clear(dag), {
    dry_run: false,
    dag_run_id: run,
    only_failed: true,
    include_downstream: true,
  });

/** A run: its facts and conf, and the run actions (clear failed with downstream, mark failed). */
export function RunPanel(props: {
  dag: string;
  run: DagRun;
  instances: Map<string, TaskInstance> | undefined;
  reload: () => void;
}) {
  const { dag, run, reload } = props;
  const failed = [...(props.instances?.values() ?? [])].filter(
    (ti) => ti.state === 'failed' || ti.state === 'upstream_failed',
  ).length;
  return html`<div class="run-panel">
    <h2>Run <code>${run.dag_run_id}</code></h2>
    <p><span class="badge ${stateClass(run.state)}">${run.state}</span> ${run.run_type}</p>
    <dl>
      <dt>Logical date</dt>
      <dd>${formatTime(run.logical_date)}</dd>
      <dt>Run after</dt>
      <dd>${formatTime(run.run_after)}</dd>
      <dt>Started</dt>
      <dd>${formatTime(run.start_date)}</dd>
      <dt>Ended</dt>
      <dd>${formatTime(run.end_date)}</dd>
      <dt>Duration</dt>
      <dd>${formatDuration(secondsBetween(run.start_date, run.end_date))}</dd>
      ${
        run.dag_versions?.length
          ? html`<dt>Version</dt>
              <dd>${run.dag_versions.map((v) => `v${v.version_number}`).join(', ')}</dd>`
          : null
      }
      ${
        run.note
          ? html`<dt>Note</dt>
              <dd>${run.note}</dd>`
          : null
      }
    </dl>
    <h3>Conf</h3>
    <pre class="conf">${JSON.stringify(run.conf ?? {}, null, 2)}</pre>
    <div class="actions">
      <${ActionButton}
        name="clear-failed"
        label=${`Clear failed (${failed}) with downstream`}
        disabled=${failed === 0 || isLive(run.state)}
        action=${() => clearFailed(dag, run.dag_run_id)}
        done=${reload}
      />
      <${ActionButton}
        name="mark-failed"
        label="Mark failed"
        disabled=${!isLive(run.state)}
        confirm=${`Mark ${run.dag_run_id} failed? Its running jobs are cancelled.`}
        action=${() => api('PATCH', paths.run(dag, run.dag_run_id), { state: 'failed' })}
        done=${reload}
      />
      <a class="button" href=${href(dag, 'gantt', run.dag_run_id)}>Gantt</a>
      <a class="button" href=${href(dag, 'graph', run.dag_run_id)}>Graph</a>
    </div>
  </div>`;
}
