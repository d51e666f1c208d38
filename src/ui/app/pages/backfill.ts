import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, ApiError, paths, type Backfill, type DagDetails } from '../api.ts';
import { formatTime } from '../format.ts';
import { usePoll } from '../poll.ts';
import { ActionButton, ErrorBanner } from './parts.ts';

const REPROCESS = ['none', 'failed', 'completed'] as const;

/** Airflow's backfill: runs for each schedule date in a range (POST /backfills), and the DAG's backfills with cancel. */
export function BackfillPage({ dag, details }: { dag: string; details: DagDetails }) {
  const list = usePoll(() => api<{ backfills: Backfill[] }>('GET', paths.backfills(dag)), [dag]);
  const [form, setForm] = useState({
    from: '',
    to: '',
    reprocess: 'none' as string,
    maxActive: String(details.max_active_runs ?? 10),
    backwards: false,
  });
  const [error, setError] = useState<string[]>([]);
  const [created, setCreated] = useState<Backfill | null>(null);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    try {
      const backfill = await api<Backfill>('POST', paths.postBackfill(), {
        dag_id: dag,
        from_date: new Date(`${form.from}Z`).toISOString(),
        to_date: new Date(`${form.to}Z`).toISOString(),
        run_backwards: form.backwards,
        dag_run_conf: {},
        reprocess_behavior: form.reprocess,
        max_active_runs: Number(form.maxActive),
      });
      setCreated(backfill);
      setError([]);
      list.reload();
    } catch (e) {
      setError(
        e instanceof ApiError && e.fieldErrors.length > 0
          ? e.fieldErrors.map((f) => `${f.loc.slice(1).join('.')}: ${f.msg}`)
          : [(e as Error).message],
      );
    }
  };
  const value = (key: keyof typeof form) => (e: Event) =>
    setForm((old) => ({ ...old, [key]: (e.target as HTMLInputElement).value }));
  return html`<div class="backfill-page">
    <form class="backfill" onSubmit=${(e: Event) => void submit(e)}>
      <h2>Backfill ${dag}</h2>
      ${details.timetable_summary ? null : html`<p class="muted">This DAG has no schedule: a backfill has no dates to run.</p>`}
      ${error.length > 0 ? html`<div class="banner error" role="alert">${error.map((m) => html`<div>${m}</div>`)}</div>` : null}
      ${created ? html`<div class="banner ok">Backfill ${created.id} created.</div>` : null}
      <label
        >From (UTC)
        <input name="from_date" type="datetime-local" required value=${form.from} onInput=${value('from')}
      /></label>
      <label
        >To (UTC)
        <input name="to_date" type="datetime-local" required value=${form.to} onInput=${value('to')}
      /></label>
      <label
        >Reprocess
        <select name="reprocess_behavior" value=${form.reprocess} onChange=${value('reprocess')}>
          ${REPROCESS.map((r) => html`<option value=${r}>${r}</option>`)}
        </select>
      </label>
      <label
        >Max active runs
        <input
          name="max_active_runs"
          type="number"
          min="1"
          value=${form.maxActive}
          onInput=${value('maxActive')}
      /></label>
      <label
        ><input
          name="run_backwards"
          type="checkbox"
          checked=${form.backwards}
          onChange=${(e: Event) => setForm((old) => ({ ...old, backwards: (e.target as HTMLInputElement).checked }))}
        />
        Run backwards</label
      >
      <button type="submit" class="primary">Create backfill</button>
    </form>
    <h3>Backfills</h3>
    <${ErrorBanner} error=${list.error} />
    <table class="backfills">
      <thead>
        <tr>
          <th>Id</th>
          <th>From</th>
          <th>To</th>
          <th>Reprocess</th>
          <th>Created</th>
          <th>Completed</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${(list.data?.backfills ?? []).map(
          (b) =>
            html`<tr>
              <td>${b.id}</td>
              <td>${formatTime(b.from_date)}</td>
              <td>${formatTime(b.to_date)}</td>
              <td>${b.reprocess_behavior}</td>
              <td>${formatTime(b.created_at)}</td>
              <td>${formatTime(b.completed_at)}</td>
              <td>
                ${b.completed_at ? null : html`<${ActionButton} label="Cancel" action=${() => api('PUT', paths.cancelBackfill(b.id))} done=${list.reload} />`}
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
