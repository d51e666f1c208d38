import type { OperatorName } from './operators/index.ts';
import { didYouMean, oneOf } from './diagnostics.ts';
import type { Suggester } from './diagnostics.ts';
import { OPERATOR_OUTPUTS } from './operators/outputs.ts';

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
