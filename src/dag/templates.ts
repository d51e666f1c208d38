import { AirlessError, ErrorNames } from '../errors.ts';
import type { OperatorName } from '../compiler/ir.ts';
import { didYouMean, oneOf } from './diagnostics.ts';
import type { Suggester } from './diagnostics.ts';
import { OPERATOR_OUTPUTS } from './operators.ts';

/**
 * Templates: `{{ dotted.path }}` inside strings, nothing else. No expressions, filters or calls, so a
 * DAG file stays data: rendering only looks values up, by own properties, in a fixed context.
 */

export type TemplatePart = { text: string } | { ref: string; segments: string[]; raw: string; index: number };

export interface ParsedTemplate {
  parts: TemplatePart[];
  /** Syntax problems, each with the index in the string where it starts. */
  errors: Array<{ message: string; index: number; raw: string }>;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** Names a template may start with, beside params / conf / tasks. */
export const RUN_VARIABLES = [
  'dag_id',
  'run_id',
  'task_id',
  'ds',
  'ds_nodash',
  'ts',
  'logical_date',
] as const;
const ROOTS = [...RUN_VARIABLES, 'params', 'conf', 'tasks'];

export const hasTemplate = (value: string): boolean => value.includes('{{');

export function parseTemplate(value: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  const errors: ParsedTemplate['errors'] = [];
  let at = 0;
  while (at < value.length) {
    const open = value.indexOf('{{', at);
    if (open < 0) break;
    if (open > at) parts.push({ text: value.slice(at, open) });
    const close = value.indexOf('}}', open + 2);
    if (close < 0) {
      errors.push({
        message: "unclosed '{{' (a template is {{ dotted.path }})",
        index: open,
        raw: value.slice(open),
      });
      parts.push({ text: value.slice(open) });
      return { parts, errors };
    }
    const raw = value.slice(open, close + 2);
    const ref = value.slice(open + 2, close).trim();
    const segments = ref.split('.');
    if (ref.length === 0 || !segments.every((s) => SEGMENT.test(s))) {
      errors.push({
        message: `templates hold only a dotted path such as {{ params.name }}, not '${ref}'`,
        index: open,
        raw,
      });
      parts.push({ text: raw });
    } else {
      parts.push({ ref, segments, raw, index: open });
    }
    at = close + 2;
  }
  if (at < value.length) parts.push({ text: value.slice(at) });
  return { parts, errors };
}

export interface TemplateReference {
  /** Path of the string inside the value scanned, e.g. ['cluster', 'name']. */
  path: Array<string | number>;
  ref: string;
  segments: string[];
  /** The `{{ ... }}` as written, to point at it in the source. */
  raw: string;
}

/** Every well-formed reference in every string inside `value` (objects and arrays walked in key order). */
export function listReferences(value: unknown, path: Array<string | number> = []): TemplateReference[] {
  const found: TemplateReference[] = [];
  walkStrings(value, path, (text, at) => {
    for (const part of parseTemplate(text).parts) {
      if ('ref' in part) found.push({ path: at, ref: part.ref, segments: part.segments, raw: part.raw });
    }
  });
  return found;
}

/** Calls `visit` for every string holding `{{` inside `value`. */
export function walkStrings(
  value: unknown,
  path: Array<string | number>,
  visit: (text: string, path: Array<string | number>) => void,
): void {
  if (typeof value === 'string') {
    if (hasTemplate(value)) visit(value, path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => walkStrings(item, [...path, i], visit));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) walkStrings(v, [...path, k], visit);
  }
}

/** What compile-time checking knows about the task a template sits in. */
export interface ReferenceScope {
  params: ReadonlySet<string>;
  /** Did-you-mean over the param names. */
  paramNames: Suggester;
  /** Operator of every task of the DAG. */
  operators: ReadonlyMap<string, OperatorName>;
  /** Did-you-mean over the task ids. */
  taskIds: Suggester;
  /** The tasks this task depends on, directly or transitively. */
  isUpstream: (taskId: string) => boolean;
  taskId: string;
}

/** Why a reference cannot resolve at run time, or null when it can. */
export function checkReference(segments: readonly string[], scope: ReferenceScope): string | null {
  const [root, ...rest] = segments as [string, ...string[]];
  const ref = segments.join('.');
  if ((RUN_VARIABLES as readonly string[]).includes(root)) {
    return rest.length === 0 ? null : `'${root}' is a string; '${ref}' does not exist`;
  }
  if (root === 'params') {
    if (rest.length === 0) return `use {{ params.<name> }}, not {{ params }}`;
    const name = rest[0]!;
    return scope.params.has(name)
      ? null
      : `unknown param '${name}' in '${ref}'${scope.paramNames.hint(name)}` +
          (scope.params.size === 0 ? ' (the DAG declares no params)' : '');
  }
  if (root === 'conf') return rest.length === 0 ? 'use {{ conf.<key> }}, not {{ conf }}' : null;
  if (root === 'tasks') return checkTaskReference(rest, ref, scope);
  return `unknown template variable '${root}'${didYouMean(root, ROOTS)} (templates may use ${oneOf(ROOTS.map((r) => (r === 'params' || r === 'conf' ? `${r}.X` : r === 'tasks' ? 'tasks.<id>.output.<field>' : r)))})`;
}

function checkTaskReference(rest: string[], ref: string, scope: ReferenceScope): string | null {
  const [id, output, field, ...more] = rest;
  if (id === undefined || output !== 'output' || field === undefined || more.length > 0) {
    return `'${ref}': an upstream result is read as tasks.<task_id>.output.<field>`;
  }
  const operator = scope.operators.get(id);
  if (operator === undefined) return `'${ref}': unknown task '${id}'${scope.taskIds.hint(id)}`;
  if (id === scope.taskId) return `'${ref}': a task cannot read its own output`;
  if (!scope.isUpstream(id)) {
    return `'${ref}': task '${id}' is not upstream of '${scope.taskId}' (add it to depends_on, directly or through another task)`;
  }
  const fields = OPERATOR_OUTPUTS[operator];
  if (!fields.includes(field)) {
    return fields.length === 0
      ? `'${ref}': operator ${operator} has no output`
      : `'${ref}': operator ${operator} has no output '${field}'${didYouMean(field, fields)} (it has ${oneOf(fields)})`;
  }
  return null;
}

// ---- run time ------------------------------------------------------------------------------------

/** What templates render from when a handler runs a task. */
export interface RenderContext {
  dag_id: string;
  run_id: string;
  task_id: string;
  /** ISO-8601 instant. */
  logical_date: string;
  conf: Record<string, unknown>;
  params: Record<string, unknown>;
  tasks: Record<string, { output: Record<string, unknown> }>;
}

const badInput = (message: string): AirlessError => new AirlessError(ErrorNames.BadInput, message);

/**
 * Renders every `{{ path }}` in `template`. Strings, numbers and booleans render as text, objects and
 * arrays as JSON. A path that does not resolve (or resolves to null) throws AirlessError BadInput.
 */
export function renderTemplate(template: string, ctx: RenderContext): string {
  if (!hasTemplate(template)) return template;
  const { parts, errors } = parseTemplate(template);
  if (errors.length > 0) throw badInput(errors[0]!.message);
  let out = '';
  for (const part of parts) {
    if ('text' in part) {
      out += part.text;
      continue;
    }
    const value = resolve(part.segments, ctx);
    if (value === undefined || value === null)
      throw badInput(`template {{ ${part.ref} }} has no value in this run`);
    out += typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return out;
}

/** Renders every string inside `value` (objects and arrays included); other values are returned as they are. */
export function renderDeep<T>(value: T, ctx: RenderContext): T {
  if (typeof value === 'string') return renderTemplate(value, ctx) as T;
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, ctx)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, ctx)])) as T;
  }
  return value;
}

function resolve(segments: readonly string[], ctx: RenderContext): unknown {
  const [root, ...rest] = segments as [string, ...string[]];
  switch (root) {
    case 'dag_id':
    case 'run_id':
    case 'task_id':
      return rest.length === 0 ? ctx[root] : undefined;
    case 'logical_date':
    case 'ds':
    case 'ds_nodash':
    case 'ts':
      return rest.length === 0 ? dateVariable(root, ctx.logical_date) : undefined;
    case 'params':
    case 'conf':
      return lookup(ctx[root], rest);
    case 'tasks': {
      const [id, output, ...field] = rest;
      if (id === undefined || output !== 'output' || field.length === 0) return undefined;
      return lookup(ownValue(ctx.tasks, id), ['output', ...field]);
    }
    default:
      return undefined;
  }
}

/** Walks own properties only: `constructor`, `__proto__` and friends never resolve to anything inherited. */
function lookup(value: unknown, segments: readonly string[]): unknown {
  let current = value;
  for (const segment of segments) current = ownValue(current, segment);
  return current;
}

function ownValue(container: unknown, key: string): unknown {
  if (container === null || typeof container !== 'object') return undefined;
  if (Array.isArray(container)) return /^\d+$/.test(key) ? container[Number(key)] : undefined;
  const proto = Object.getPrototypeOf(container);
  if (proto !== Object.prototype && proto !== null) return undefined;
  return Object.prototype.hasOwnProperty.call(container, key)
    ? (container as Record<string, unknown>)[key]
    : undefined;
}

/** Airflow's date variables, from the run's logical date in UTC. */
function dateVariable(name: 'logical_date' | 'ds' | 'ds_nodash' | 'ts', logicalDate: string): string {
  const date = new Date(logicalDate);
  if (Number.isNaN(date.getTime()))
    throw badInput(`logical_date '${logicalDate}' is not an ISO-8601 instant`);
  const iso = date.toISOString();
  const ds = iso.slice(0, 10);
  switch (name) {
    case 'logical_date':
      return iso;
    case 'ds':
      return ds;
    case 'ds_nodash':
      return ds.replaceAll('-', '');
    case 'ts':
      // Airflow's ts: isoformat() of an aware UTC datetime, e.g. 2026-01-31T03:00:00+00:00
      return `${iso.slice(0, 19)}+00:00`;
  }
}
