import { html } from 'htm/preact';
import { useMemo, useState } from 'preact/hooks';
import { api, ApiError, paths, type DagDetails, type DagRun } from '../api.ts';
import { convertInput, initialInput, paramFields, type ParamField } from '../param-form.ts';
import { href } from '../routes.ts';

/** The run's own fields of the trigger body (beside conf). */
const RUN_FIELDS = ['dag_run_id', 'logical_date', 'note'];

/**
 * Where a 422 error item belongs: a param's name for ["body", "conf", name, ...], `@<field>` for
 * ["body", "dag_run_id" | "logical_date" | "note"], else the whole form.
 */
export function errorsByField(error: ApiError): { fields: Map<string, string[]>; general: string[] } {
  const fields = new Map<string, string[]>();
  const general: string[] = [];
  const add = (key: string, msg: string): void => void fields.set(key, [...(fields.get(key) ?? []), msg]);
  if (error.fieldErrors.length === 0) general.push(error.message);
  for (const item of error.fieldErrors) {
    const [where, group, name] = item.loc ?? [];
    if (where === 'body' && group === 'conf' && name !== undefined) add(String(name), item.msg);
    else if (where === 'body' && RUN_FIELDS.includes(String(group))) add(`@${String(group)}`, item.msg);
    else general.push(`${(item.loc ?? []).join('.')}: ${item.msg}`);
  }
  return { fields, general };
}

/** One of the run's own inputs, with the API's errors about it. */
function RunInput(props: {
  name: string;
  label: string;
  value: string;
  set: (v: string) => void;
  errors: string[];
  type?: string;
  placeholder?: string;
}) {
  return html`<label class=${props.errors.length > 0 ? 'invalid' : ''} data-field=${props.name}
    >${props.label}
    <input
      name=${props.name}
      type=${props.type ?? 'text'}
      step=${props.type === 'datetime-local' ? '1' : undefined}
      placeholder=${props.placeholder}
      aria-invalid=${props.errors.length > 0}
      value=${props.value}
      onInput=${(e: Event) => props.set((e.target as HTMLInputElement).value)}
    />
    ${props.errors.map((m) => html`<span class="field-error" role="alert">${m}</span>`)}
  </label>`;
}

/** Airflow's "Trigger DAG w/ config": one input per param, from its schema, and the run's own fields. */
export function TriggerPage({ dag, details }: { dag: string; details: DagDetails }) {
  const fields = useMemo(() => paramFields(details.params), [details]);
  const [inputs, setInputs] = useState<Record<string, string | boolean>>(() =>
    Object.fromEntries(fields.map((f) => [f.name, initialInput(f)])),
  );
  const [runId, setRunId] = useState('');
  const [logicalDate, setLogicalDate] = useState('');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<{ fields: Map<string, string[]>; general: string[] }>({
    fields: new Map(),
    general: [],
  });
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const conf: Record<string, unknown> = {};
    const local = new Map<string, string[]>();
    for (const field of fields) {
      const converted = convertInput(field, inputs[field.name] ?? '');
      if (!converted.ok) local.set(field.name, [converted.message]);
      else if (!converted.omit) conf[field.name] = converted.value;
    }
    if (local.size > 0) return setErrors({ fields: local, general: [] });
    setBusy(true);
    try {
      const body: Record<string, unknown> = {
        conf,
        logical_date: logicalDate ? new Date(`${logicalDate}Z`).toISOString() : null,
      };
      if (runId) body.dag_run_id = runId;
      if (note) body.note = note;
      const run = await api<DagRun>('POST', paths.postRun(dag), body);
      location.hash = href(dag, 'grid', run.dag_run_id);
    } catch (e) {
      setErrors(
        e instanceof ApiError ? errorsByField(e) : { fields: new Map(), general: [(e as Error).message] },
      );
    } finally {
      setBusy(false);
    }
  };
  const set = (name: string, value: string | boolean): void =>
    setInputs((old) => ({ ...old, [name]: value }));

  return html`<form class="trigger" onSubmit=${(e: Event) => void submit(e)} novalidate>
    <h2>Trigger ${dag}</h2>
    ${
      errors.general.length > 0
        ? html`<div class="banner error" role="alert">
            ${errors.general.map((m) => html`<div>${m}</div>`)}
          </div>`
        : null
    }
    ${fields.length === 0 ? html`<p class="muted">This DAG has no params.</p>` : null}
    ${fields.map(
      (field) =>
        html`<${FieldRow}
          field=${field}
          value=${inputs[field.name]}
          errors=${errors.fields.get(field.name) ?? []}
          onInput=${(v: string | boolean) => set(field.name, v)}
        />`,
    )}
    <fieldset class="run-fields">
      <legend>Run</legend>
      <${RunInput}
        name="dag_run_id"
        label="Run id"
        placeholder="generated"
        value=${runId}
        set=${setRunId}
        errors=${errors.fields.get('@dag_run_id') ?? []}
      />
      <${RunInput}
        name="logical_date"
        label="Logical date (UTC)"
        type="datetime-local"
        value=${logicalDate}
        set=${setLogicalDate}
        errors=${errors.fields.get('@logical_date') ?? []}
      />
      <${RunInput}
        name="note"
        label="Note"
        value=${note}
        set=${setNote}
        errors=${errors.fields.get('@note') ?? []}
      />
    </fieldset>
    <button type="submit" class="primary" disabled=${busy}>Trigger</button>
  </form>`;
}

function FieldRow(props: {
  field: ParamField;
  value: string | boolean | undefined;
  errors: string[];
  onInput: (v: string | boolean) => void;
}) {
  const { field, value, errors } = props;
  const id = `param-${field.name}`;
  const invalid = errors.length > 0;
  const read = (e: Event): string => (e.target as HTMLInputElement).value;
  let input;
  if (field.enumValues)
    input = html`<select
      id=${id}
      name=${field.name}
      aria-invalid=${invalid}
      value=${value}
      onChange=${(e: Event) => props.onInput(read(e))}
    >
      <option value="">${field.defaultValue === undefined ? '(choose)' : '(default)'}</option>
      ${field.enumValues.map((v, i) => html`<option value=${String(i)}>${typeof v === 'string' ? v : JSON.stringify(v)}</option>`)}
    </select>`;
  else if (field.kind === 'boolean')
    input = html`<input
      id=${id}
      name=${field.name}
      type="checkbox"
      aria-invalid=${invalid}
      checked=${value === true}
      onChange=${(e: Event) => props.onInput((e.target as HTMLInputElement).checked)}
    />`;
  else if (field.kind === 'json')
    input = html`<textarea
      id=${id}
      name=${field.name}
      rows="3"
      aria-invalid=${invalid}
      value=${value}
      onInput=${(e: Event) => props.onInput(read(e))}
    ></textarea>`;
  else
    input = html`<input
      id=${id}
      name=${field.name}
      type=${field.kind === 'string' ? (field.format === 'date' ? 'date' : field.format === 'time' ? 'time' : 'text') : 'number'}
      step=${field.kind === 'number' ? 'any' : undefined}
      aria-invalid=${invalid}
      value=${value}
      onInput=${(e: Event) => props.onInput(read(e))}
    />`;
  return html`<div class="field ${invalid ? 'invalid' : ''}" data-param=${field.name}>
    <label for=${id}>${field.name} <span class="muted type">${field.types.join(' | ') || 'any'}</span></label>
    ${input} ${field.description ? html`<div class="description">${field.description}</div>` : null}
    ${errors.map((m) => html`<div class="field-error" role="alert">${m}</div>`)}
  </div>`;
}
