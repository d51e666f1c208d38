import { AirlessError, ErrorNames } from '../errors.ts';
import { hasTemplate, parseTemplate } from '../dag/templates.ts';

/**
 * Rendering a task's `{{ ... }}` templates when a handler runs it (the language parses and checks
 * them at compile time: src/dag/templates.ts).
 */

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
