import { html } from 'htm/preact';
import { api, paths, type Dag, type DagDetails, type DagRun, type ImportError } from '../api.ts';
import { formatTime } from '../format.ts';
import { IDLE_MS, LIVE_MS, usePoll } from '../poll.ts';
import { href } from '../routes.ts';
import { isLive, stateClass } from '../states.ts';
import { ErrorBanner, PauseToggle } from './parts.ts';

/** How many recent runs the DAGs page shows per DAG. */
const RECENT_RUNS = 10;

interface DagsData {
  dags: Dag[];
  errors: ImportError[];
  recent: Map<string, DagRun[]>;
  /** dag_id -> its live version, asked again only when the DAG was parsed anew. */
  versions: Map<string, { parsed: string | null; version: string }>;
}

async function loadDags(previous: DagsData | null): Promise<DagsData> {
  const [dags, errors, runs] = await Promise.all([
    api<{ dags: Dag[] }>('GET', paths.dags()),
    api<{ import_errors: ImportError[] }>('GET', paths.importErrors()),
    api<{ dag_runs: DagRun[] }>('GET', paths.runs('~')),
  ]);
  const recent = new Map<string, DagRun[]>();
  const byTime = [...runs.dag_runs].sort((a, b) => (a.run_after < b.run_after ? -1 : 1));
  for (const run of byTime) {
    const list = recent.get(run.dag_id) ?? [];
    list.push(run);
    if (list.length > RECENT_RUNS) list.shift();
    recent.set(run.dag_id, list);
  }
  const versions = new Map<string, { parsed: string | null; version: string }>();
  await Promise.all(
    dags.dags.map(async (dag) => {
      const parsed = dag.last_parsed_time ?? null;
      const known = previous?.versions.get(dag.dag_id);
      if (known && known.parsed === parsed) return versions.set(dag.dag_id, known);
      const details = await api<DagDetails>('GET', paths.details(dag.dag_id));
      versions.set(dag.dag_id, { parsed, version: versionOf(details) });
    }),
  );
  return { dags: dags.dags, errors: errors.import_errors, recent, versions };
}

/** Each `file:line:col: message` line of an import error's stack trace. */
const diagnosticLines = (trace: string): string[] => trace.split('\n').filter((line) => line.trim() !== '');

export function DagsPage() {
  const { data, error, reload } = usePoll(loadDags, [], (d) =>
    d && [...d.recent.values()].some((runs) => runs.some((r) => isLive(r.state))) ? LIVE_MS : IDLE_MS,
  );
  return html`
    <section class="page dags-page">
      <h1>DAGs</h1>
      <${ErrorBanner} error=${error} />
      ${
        data && data.errors.length > 0
          ? html`<section class="import-errors">
              <h2>Import errors (${data.errors.length})</h2>
              ${data.errors.map(
                (e) =>
                  html`<details open class="import-error">
                    <summary>
                      <code>${e.filename}</code> <span class="muted">${formatTime(e.timestamp)}</span>
                    </summary>
                    <ul>
                      ${diagnosticLines(e.stack_trace).map((line) => html`<li><code>${line}</code></li>`)}
                    </ul>
                  </details>`,
              )}
            </section>`
          : null
      }
      ${
        data
          ? html`<table class="dags">
              <thead>
                <tr>
                  <th>Active</th>
                  <th>DAG</th>
                  <th>Schedule</th>
                  <th>Last runs</th>
                  <th>Next run</th>
                  <th>Version</th>
                </tr>
              </thead>
              <tbody>
                ${data.dags.map(
                  (dag) =>
                    html`<tr data-dag=${dag.dag_id}>
                      <td><${PauseToggle} dag=${dag} onChange=${reload} /></td>
                      <td>
                        <a href=${href(dag.dag_id)}>${dag.dag_display_name ?? dag.dag_id}</a>
                        ${dag.has_import_errors ? html` <span class="badge failed" title="its last upload was refused">import error</span>` : null}
                        ${dag.description ? html`<div class="muted">${dag.description}</div>` : null}
                      </td>
                      <td><code>${dag.timetable_summary ?? 'None'}</code></td>
                      <td class="recent">
                        ${(data.recent.get(dag.dag_id) ?? []).map(
                          (run) =>
                            html`<a
                              class="square ${stateClass(run.state)}"
                              href=${href(dag.dag_id, 'grid', run.dag_run_id)}
                              title=${`${run.dag_run_id}: ${run.state}`}
                            ></a>`,
                        )}
                      </td>
                      <td>${formatTime(dag.next_dagrun_run_after ?? dag.next_dagrun_logical_date)}</td>
                      <td>${data.versions.get(dag.dag_id)?.version ?? ''}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
          : html`<p class="muted">Loading…</p>`
      }
    </section>
  `;
}

export const versionOf = (dag: Dag): string =>
  dag.latest_dag_version ? `v${dag.latest_dag_version.version_number}` : (dag.bundle_version ?? '');
