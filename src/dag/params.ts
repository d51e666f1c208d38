import { compilePattern, type LinearRegex } from './linear-regex.ts';

/** A JSON-Schema subset for one run parameter (type, default, enum, description, minimum, ...). */
export type ParamIR = Record<string, unknown> & { type?: string; default?: unknown };

/**
 * Airflow's "trigger with config": a run's params are the DAG's param defaults overridden by the
 * trigger conf, each checked against its JSON-Schema subset. A typed param without a default is
 * required unless its type allows null. Every failing field is reported, not just the first. The
 * same checker judges a param's own schema and default when the DAG is validated, so a schema the
 * API could not apply never gets that far.
 */
export interface ParamError {
  field: string;
  message: string;
}

export type ResolvedParams =
  { ok: true; params: Record<string, unknown> } | { ok: false; errors: ParamError[] };

const typeOf = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
};

const typeMatches = (value: unknown, type: string): boolean => {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
};

/** A string param without its own maxLength holds at most this many characters (64 KiB). */
export const DEFAULT_MAX_LENGTH = 65_536;

export const FORMATS: Readonly<Record<string, RegExp>> = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  'date-time': /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/,
  time: /^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/,
  email: /^[^@\s]+@[^@\s]+$/,
};

const patterns = new Map<string, LinearRegex | null>();

/** A param pattern as a linear-time matcher (cached), or null when it is refused. */
function patternOf(source: string): LinearRegex | null {
  let found = patterns.get(source);
  if (found === undefined) {
    const compiled = compilePattern(source);
    found = compiled.ok ? compiled.regex : null;
    if (patterns.size > 1000) patterns.clear();
    patterns.set(source, found);
  }
  return found;
}

/** What is wrong with a param schema itself, each with the field (inside the param) it is about. */
export function paramSchemaProblems(
  schema: Record<string, unknown>,
): Array<{ path: string[]; message: string }> {
  const problems: Array<{ path: string[]; message: string }> = [];
  const own = (at: string[], s: Record<string, unknown>): void => {
    if (typeof s.pattern === 'string') {
      const compiled = compilePattern(s.pattern);
      if (!compiled.ok) problems.push({ path: [...at, 'pattern'], message: `pattern ${compiled.message}` });
    }
    if (typeof s.format === 'string' && !Object.hasOwn(FORMATS, s.format)) {
      problems.push({
        path: [...at, 'format'],
        message: `unknown format '${s.format}' (known: ${Object.keys(FORMATS).join(', ')})`,
      });
    }
    for (const [low, high] of [
      ['minLength', 'maxLength'],
      ['minimum', 'maximum'],
      ['minItems', 'maxItems'],
      ['exclusiveMinimum', 'exclusiveMaximum'],
    ] as const) {
      const a = s[low];
      const b = s[high];
      if (typeof a === 'number' && typeof b === 'number' && a > b) {
        problems.push({ path: [...at, high], message: `${high} ${b} is below ${low} ${a}: no value fits` });
      }
    }
  };
  own([], schema);
  if (schema.items !== null && typeof schema.items === 'object' && !Array.isArray(schema.items)) {
    own(['items'], schema.items as Record<string, unknown>);
  }
  return problems;
}

/** The constraint failures of one value, as short messages. */
export function checkParamValue(value: unknown, schema: Record<string, unknown>): string[] {
  const types = schema.type === undefined ? [] : ([] as string[]).concat(schema.type as string | string[]);
  if (types.length > 0 && !types.some((t) => typeMatches(value, t))) {
    return [`must be of type ${types.join(' or ')}, got ${typeOf(value)}`];
  }
  const problems: string[] = [];
  const json = JSON.stringify(value);
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === json)) {
    problems.push(`must be one of ${JSON.stringify(schema.enum)}`);
  }
  if ('const' in schema && JSON.stringify(schema.const) !== json) {
    problems.push(`must be ${JSON.stringify(schema.const)}`);
  }
  if (typeof value === 'number') {
    const n = (key: string) => schema[key] as number | undefined;
    if (n('minimum') !== undefined && value < n('minimum')!) problems.push(`must be >= ${n('minimum')}`);
    if (n('maximum') !== undefined && value > n('maximum')!) problems.push(`must be <= ${n('maximum')}`);
    if (n('exclusiveMinimum') !== undefined && value <= n('exclusiveMinimum')!) {
      problems.push(`must be > ${n('exclusiveMinimum')}`);
    }
    if (n('exclusiveMaximum') !== undefined && value >= n('exclusiveMaximum')!) {
      problems.push(`must be < ${n('exclusiveMaximum')}`);
    }
    if (n('multipleOf') !== undefined && !Number.isInteger(value / n('multipleOf')!)) {
      problems.push(`must be a multiple of ${n('multipleOf')}`);
    }
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) {
      problems.push(`must be at least ${schema.minLength} characters`);
    }
    const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : DEFAULT_MAX_LENGTH;
    if (length > maxLength) problems.push(`must be at most ${maxLength} characters`);
    if (typeof schema.pattern === 'string') {
      const pattern = patternOf(schema.pattern);
      if (!pattern) problems.push(`cannot be checked: pattern ${schema.pattern} is not usable`);
      else if (!pattern.test(value)) problems.push(`must match pattern ${schema.pattern}`);
    }
    const format =
      typeof schema.format === 'string' && Object.hasOwn(FORMATS, schema.format)
        ? FORMATS[schema.format]
        : undefined;
    if (format && !format.test(value)) problems.push(`must be a ${String(schema.format)}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      problems.push(`must have at least ${schema.minItems} items`);
    }
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
      problems.push(`must have at most ${schema.maxItems} items`);
    }
    const items = schema.items as Record<string, unknown> | undefined;
    if (items)
      value.forEach((item, i) => problems.push(...checkParamValue(item, items).map((p) => `item ${i} ${p}`)));
  }
  return problems;
}

/** Defaults, then conf overrides for declared params; conf keys the DAG does not declare stay in conf only. */
export function resolveRunParams(
  params: Record<string, ParamIR>,
  conf: Record<string, unknown>,
): ResolvedParams {
  const resolved: Record<string, unknown> = {};
  const errors: ParamError[] = [];
  for (const [name, schema] of Object.entries(params).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const value = Object.hasOwn(conf, name) ? conf[name] : schema.default;
    if (value === undefined) {
      const types = schema.type === undefined ? [] : ([] as string[]).concat(schema.type);
      if (types.length > 0 && !types.includes('null')) errors.push({ field: name, message: 'is required' });
      else resolved[name] = null;
      continue;
    }
    errors.push(...checkParamValue(value, schema).map((message) => ({ field: name, message })));
    resolved[name] = value;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, params: resolved };
}
