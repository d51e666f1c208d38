/**
 * The trigger form's fields from a DAG's params (DAGDetailsResponse.params). Airflow serialises a
 * param as `{value, description, schema}`; a plain JSON-Schema with `default` is read too. The form
 * converts what was typed to JSON values only; checking them against the schema is the API's job,
 * and its 422 errors are shown at their fields.
 */
export type FieldKind = 'string' | 'integer' | 'number' | 'boolean' | 'json';

export interface ParamField {
  name: string;
  kind: FieldKind;
  /** The schema's `type` as written (`["string", "null"]` allowed). */
  types: string[];
  nullable: boolean;
  defaultValue: unknown;
  enumValues: unknown[] | null;
  description: string | null;
  format: string | null;
  schema: Record<string, unknown>;
}

const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

function kindOf(types: string[]): FieldKind {
  const solid = types.filter((t) => t !== 'null');
  if (solid.length !== 1) return solid.length === 0 ? 'string' : 'json';
  const [type] = solid;
  if (type === 'string' || type === 'integer' || type === 'number' || type === 'boolean') return type;
  return 'json';
}

export function paramFields(params: Record<string, unknown> | null | undefined): ParamField[] {
  return Object.entries(params ?? {}).map(([name, raw]) => {
    const param = record(raw);
    const serialised = 'schema' in param && ('value' in param || '__class' in param);
    const schema = serialised ? record(param.schema) : param;
    const types = schema.type === undefined ? [] : ([] as unknown[]).concat(schema.type).map(String);
    const defaultValue = serialised ? param.value : schema.default;
    const description = (serialised ? param.description : undefined) ?? schema.description;
    return {
      name,
      kind: Array.isArray(schema.enum) ? 'json' : kindOf(types),
      types,
      nullable: types.includes('null'),
      defaultValue,
      enumValues: Array.isArray(schema.enum) ? schema.enum : null,
      description: typeof description === 'string' ? description : null,
      format: typeof schema.format === 'string' ? schema.format : null,
      schema,
    } satisfies ParamField;
  });
}

/** What the form shows first for a field: its default as text (or a boolean, or an enum index). */
export function initialInput(field: ParamField): string | boolean {
  const value = field.defaultValue;
  if (field.enumValues) {
    const index = field.enumValues.findIndex((v) => JSON.stringify(v) === JSON.stringify(value));
    return index < 0 ? '' : String(index);
  }
  if (field.kind === 'boolean') return value === true;
  if (value === undefined || value === null) return '';
  if (field.kind === 'json') return JSON.stringify(value, null, 2);
  return String(value);
}

export type Converted = { ok: true; value: unknown; omit?: boolean } | { ok: false; message: string };

/** The JSON value for what was typed; an empty input leaves the param out (its default applies). */
export function convertInput(field: ParamField, input: string | boolean): Converted {
  if (typeof input === 'boolean') return { ok: true, value: input };
  if (field.enumValues) {
    if (input === '') return { ok: true, value: undefined, omit: true };
    return { ok: true, value: field.enumValues[Number(input)] };
  }
  const text = field.kind === 'string' ? input : input.trim();
  if (text === '') return { ok: true, value: undefined, omit: true };
  switch (field.kind) {
    case 'string':
      return { ok: true, value: text };
    case 'integer':
    case 'number': {
      const n = Number(text);
      if (!Number.isFinite(n) || (field.kind === 'integer' && !Number.isInteger(n)))
        return { ok: false, message: `is not ${field.kind === 'integer' ? 'an integer' : 'a number'}` };
      return { ok: true, value: n };
    }
    default:
      try {
        return { ok: true, value: JSON.parse(text) };
      } catch {
        return { ok: false, message: 'is not valid JSON' };
      }
  }
}
