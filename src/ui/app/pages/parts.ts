import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, ApiError, authToken, paths, type Dag } from '../api.ts';

/** A failed call, said plainly; a 401 offers to paste a bearer token. */
export function ErrorBanner({ error }: { error: Error | null }) {
  const [token, setToken] = useState('');
  if (!error) return null;
  if (error instanceof ApiError && error.status === 401)
    return html`<form
      class="banner error"
      onSubmit=${(e: Event) => {
        e.preventDefault();
        authToken.set(token);
        location.reload();
      }}
    >
      The API wants a bearer token:
      <input
        type="password"
        value=${token}
        onInput=${(e: Event) => setToken((e.target as HTMLInputElement).value)}
      />
      <button>Use it</button>
    </form>`;
  const status = error instanceof ApiError ? ` (HTTP ${error.status})` : '';
  return html`<div class="banner error" role="alert">${error.message}${status}</div>`;
}

/** Airflow's pause switch: PATCH /dags/{dag_id} with {is_paused}. */
export function PauseToggle({ dag, onChange }: { dag: Dag; onChange: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const toggle = async (): Promise<void> => {
    setBusy(true);
    try {
      await api('PATCH', `${paths.dag(dag.dag_id)}?update_mask=is_paused`, { is_paused: !dag.is_paused });
      setError(null);
      onChange();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return html`<label
      class="switch"
      title=${dag.is_paused ? 'paused: click to unpause' : 'active: click to pause'}
    >
      <input
        type="checkbox"
        class="pause-toggle"
        aria-label=${`${dag.dag_id} active`}
        checked=${!dag.is_paused}
        disabled=${busy}
        onChange=${() => void toggle()}
      />
      <span></span>
    </label>
    ${error ? html`<span class="field-error">${error.message}</span>` : null}`;
}

/** A button that runs one API call, then `done`; its error is shown beside it. */
export function ActionButton(props: {
  label: string;
  action: () => Promise<unknown>;
  done: () => void;
  disabled?: boolean;
  confirm?: string;
  name?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const run = async (): Promise<void> => {
    if (props.confirm && !window.confirm(props.confirm)) return;
    setBusy(true);
    try {
      await props.action();
      setError(null);
      props.done();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return html`<span class="action">
    <button name=${props.name} disabled=${busy || props.disabled} onClick=${() => void run()}>
      ${props.label}
    </button>
    ${error ? html`<span class="field-error" role="alert">${error.message}</span>` : null}
  </span>`;
}
