import type { z } from 'zod';
import { airflowKeyHint, operatorKeyHint, triggerRuleAlias } from './airflow-names.ts';
import { didYouMean, oneOf, Suggester } from './diagnostics.ts';
import type { Path } from './parse.ts';
import { isRecord, labelled, valueAt } from './report.ts';
import type { Report } from './report.ts';
import { CommonTaskSchema, DagSchema, TaskSchema } from './schema.ts';

/** Turns zod's issues into positioned diagnostics with messages a DAG author can act on. */
export function reportSchemaIssues(
  issues: readonly z.core.$ZodIssue[],
  document: unknown,
  report: Report,
): void {
  // One did-you-mean over the keys of each kind of mapping, with its budget, for the whole file.
  const suggesters = new Map<readonly string[], Suggester>();
  const suggest = (key: string, known: readonly string[]): string => {
    let suggester = suggesters.get(known);
    if (!suggester) suggesters.set(known, (suggester = new Suggester(known)));
    return suggester.hint(key);
  };
  for (const issue of issues) reportIssue(issue, document, report, suggest);
}

type Suggest = (key: string, known: readonly string[]) => string;

function reportIssue(issue: z.core.$ZodIssue, document: unknown, report: Report, suggest: Suggest): void {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const field = path.at(-1);
  const value = valueAt(document, path);
  const missing = value === undefined && !(issue.code === 'unrecognized_keys');

  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(path, document);
    const owner = ownerLabel(path, document);
    for (const key of issue.keys) {
      const hint =
        operatorKeyHint(valueAt(document, path), key) ||
        suggest(key, known) ||
        airflowKeyHint(key) ||
        elsewhere(key, path);
      report.at([...path, key], labelled(path, `unknown key '${key}'${owner}${hint}`), { key: true });
    }
    return;
  }
  if (issue.code === 'invalid_union' && 'discriminator' in issue && typeof issue.discriminator === 'string') {
    const options = (issue as { options?: unknown[] }).options?.map(String) ?? [];
    const parent = path.slice(0, -1);
    if (parent[0] === 'tasks' && parent.length === 2) {
      const common = CommonTaskSchema.safeParse(valueAt(document, parent), { reportInput: true });
      if (!common.success)
        for (const inner of common.error.issues)
          reportIssue(prefixed(inner, parent), document, report, suggest);
    }
    if (missing) {
      report.at(parent, labelled(parent, `missing '${issue.discriminator}' (one of ${oneOf(options)})`), {
        key: parent.length > 0,
      });
    } else {
      const hint = didYouMean(String(value), options);
      report.at(
        path,
        labelled(path, `unknown ${field} '${String(value)}'${hint || ` (expected ${oneOf(options)})`}`),
      );
    }
    return;
  }
  if (missing && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) {
    const parent = path.slice(0, -1);
    report.at(parent, labelled(parent, `missing required field '${String(field)}'`), {
      key: parent.length > 0,
    });
    return;
  }
  if (issue.code === 'custom' && (issue.params as { key?: boolean } | undefined)?.key) {
    report.at(path, `${issue.message}: '${String(field)}'`, { key: true });
    return;
  }
  report.at(path, labelled(path, messageOf(issue, value, field)));
}

const prefixed = (issue: z.core.$ZodIssue, parent: Path): z.core.$ZodIssue => ({
  ...issue,
  path: [...parent, ...issue.path],
});

function messageOf(issue: z.core.$ZodIssue, value: unknown, field: string | number | undefined): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'string' && isUnquotedTemplate(value)) {
        return 'quote a string that starts with a template: "{{ ... }}" (unquoted, YAML reads {{ }} as a mapping)';
      }
      return issue.message.startsWith('Invalid input')
        ? `expected ${typeName(issue.expected)}, got ${describe(value)}`
        : issue.message;
    case 'invalid_value': {
      const values = issue.values.map(String);
      if (value === undefined && typeof field === 'string')
        return `missing required field '${field}' (one of ${oneOf(values)})`;
      if (values.length === 1) return `expected '${values[0]}', got ${describe(value)}`;
      const hint =
        (field === 'trigger_rule' && triggerRuleAlias(String(value))) || didYouMean(String(value), values);
      return `unknown ${typeof field === 'string' ? field : 'value'} '${String(value)}'${hint || ` (expected ${oneOf(values)})`}`;
    }
    case 'too_small':
      if (issue.origin === 'array')
        return Number(issue.minimum) === 1 ? 'must not be empty' : `needs at least ${issue.minimum} items`;
      if (issue.origin === 'string') return 'must not be empty';
      return `must be ${issue.inclusive ? '>=' : '>'} ${issue.minimum}, got ${describe(value)}`;
    case 'too_big':
      return issue.origin === 'number'
        ? `must be <= ${issue.maximum}, got ${describe(value)}`
        : issue.message;
    case 'invalid_format':
      if (issue.format === 'url')
        return `expected a URL such as https://myvault.vault.azure.net, got ${describe(value)}`;
      return issue.message.startsWith('Invalid')
        ? `${describe(value)} does not match ${issue.format}`
        : issue.message;
    default:
      return issue.message;
  }
}

/** `key: {{ x }}` without quotes parses as a mapping whose only key is the mapping `{ x }`. */
function isUnquotedTemplate(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0]!.startsWith('{') && value[keys[0]!] === null;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  null: 'null',
};
const typeName = (expected: string): string => TYPE_NAMES[expected] ?? expected;

/** How a value reads in a message: its kind, and itself when short. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return value.length <= 40 ? `'${value}'` : `a string of ${value.length} characters`;
  if (typeof value === 'number') return Number.isInteger(value) ? `${value}` : `the number ${value}`;
  return String(value);
}

// ---- walking the schema alongside the document, to know which keys a mapping takes ----------------

interface Def {
  type: string;
  shape?: Record<string, unknown>;
  valueType?: unknown;
  element?: unknown;
  innerType?: unknown;
  options?: unknown[];
  discriminator?: string;
  in?: unknown;
}
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** Unwraps optional/nullable/pipe, and picks a union's member matching `value`. */
function resolveSchema(schema: unknown, value: unknown): unknown {
  for (;;) {
    const def = defOf(schema);
    if (def.type === 'optional' || def.type === 'nullable') schema = def.innerType;
    else if (def.type === 'pipe') schema = def.in;
    else if (def.type === 'union') {
      const objects = (def.options ?? []).filter((o) => defOf(resolveSchema(o, value)).type === 'object');
      const key = def.discriminator;
      const wanted = key && isRecord(value) ? value[key] : undefined;
      const match = key
        ? objects.find((o) => {
            const literal = defOf(defOf(o).shape?.[key]) as Def & { values?: unknown[] };
            return literal.values?.includes(wanted);
          })
        : objects[0];
      if (!match) return schema;
      schema = match;
    } else return schema;
  }
}

function schemaAt(path: Path, document: unknown): unknown {
  let schema: unknown = DagSchema;
  for (let i = 0; i < path.length; i++) {
    schema = resolveSchema(schema, valueAt(document, path.slice(0, i)));
    const def = defOf(schema);
    if (def.type === 'object') schema = def.shape?.[String(path[i])];
    else if (def.type === 'record') schema = def.valueType;
    else if (def.type === 'array') schema = def.element;
    else return undefined;
    if (schema === undefined) return undefined;
  }
  return resolveSchema(schema, valueAt(document, path));
}

/** The keys an object schema takes, one list per schema. */
const keysOf = new WeakMap<object, readonly string[]>();
const NO_KEYS: readonly string[] = [];

function knownKeys(path: Path, document: unknown): readonly string[] {
  const schema = schemaAt(path, document);
  const def = schema === undefined ? undefined : defOf(schema);
  if (def?.type !== 'object') return NO_KEYS;
  let keys = keysOf.get(def);
  if (!keys) keysOf.set(def, (keys = Object.keys(def.shape ?? {})));
  return keys;
}

/** For a task: " (a field of flink.rest and genie)" when another operator takes the key. */
function elsewhere(key: string, path: Path): string {
  if (path[0] !== 'tasks' || path.length !== 2) return '';
  const operators = (defOf(TaskSchema).options ?? [])
    .map((option) => defOf(option).shape ?? {})
    .filter((shape) => key in shape)
    .map((shape) => String((defOf(shape.operator) as Def & { values?: unknown[] }).values?.[0]));
  return operators.length > 0 ? ` (a field of ${operators.join(' and ')})` : '';
}

/** " for operator flink.rest" and the like, when the keys a mapping takes depend on a discriminator. */
function ownerLabel(path: Path, document: unknown): string {
  const value = valueAt(document, path);
  if (!isRecord(value)) return '';
  if (path[0] === 'tasks' && path.length === 2 && typeof value.operator === 'string') {
    return ` for operator ${value.operator}`;
  }
  if (path[0] === 'connections' && path.length === 2 && typeof value.type === 'string') {
    return ` for connection type ${value.type}`;
  }
  if (path[0] === 'secrets' && path.length === 1 && typeof value.backend === 'string') {
    return ` for secrets backend ${value.backend}`;
  }
  return '';
}
