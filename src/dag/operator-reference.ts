import { z } from 'zod';
import type { ActionRule } from './operators/definition.ts';
import { operatorDefinition, type OperatorName } from './operators/index.ts';
import { jobTaskFields } from './operators/task-fields.ts';
import { CommonTaskSchema, ConnectionSchema, TaskSchema } from './schema.ts';
import { NOT_TEMPLATED } from './validate.ts';

/**
 * docs/operators.md, made from the operator definitions and the DAG schema (`airless docs`): every operator's fields with
 * their type, whether they are required, their default, whether `{{ }}` templates are rendered in
 * them, the outputs downstream templates may read, the connection types that authenticate it, and
 * which fields each action needs. CI regenerates it and fails on any difference.
 */
type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  required?: string[];
  description?: string;
  default?: unknown;
};

const toJson = (schema: z.ZodType): JsonSchema =>
  z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as JsonSchema;

const DURATION = '^(?:(?:\\d+';

/** A short type name a DAG author reads: string, integer, duration, one of ..., list of ... */
function typeName(s: JsonSchema): string {
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) {
    if (alternatives.some((a) => a.pattern?.startsWith(DURATION))) return 'duration';
    return [...new Set(alternatives.map(typeName))].join(' or ');
  }
  if (s.enum) return `one of ${s.enum.map((v) => `\`${String(v)}\``).join(', ')}`;
  if (s.const !== undefined) return `\`${String(s.const)}\``;
  if (s.type === 'array') return `list of ${s.items ? plural(typeName(s.items)) : 'values'}`;
  if (s.type === 'object' && s.properties) {
    const keys = Object.keys(s.properties);
    if (keys.length === 1 && keys[0] === 'secret') return '{ secret: name }';
    return `{ ${keys.join(', ')} }`;
  }
  if (s.type === 'object') return 'mapping of strings';
  if (s.type === 'string' && s.pattern?.includes('\\{\\{')) return 'template';
  return String(s.type ?? 'any');
}

const plural = (name: string): string =>
  name.includes(' ') || name.includes('{') ? name : name === 'any' ? 'values' : `${name}s`;

/** True when the field can hold a free string (or strings inside it) that handlers render. */
function takesText(s: JsonSchema): boolean {
  if (s.anyOf ?? s.oneOf) return (s.anyOf ?? s.oneOf)!.some(takesText);
  if (s.type === 'string')
    return s.enum === undefined && s.const === undefined && !s.pattern?.startsWith(DURATION);
  if (s.type === 'array') return s.items !== undefined && takesText(s.items);
  if (s.type === 'object') {
    const inner = [...Object.values(s.properties ?? {})];
    if (typeof s.additionalProperties === 'object') inner.push(s.additionalProperties);
    return inner.some(takesText);
  }
  return false;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const show = (value: unknown): string => (value === undefined ? '' : `\`${JSON.stringify(value)}\``);

function fieldTable(
  properties: Record<string, JsonSchema>,
  required: string[],
  templated: boolean,
): string[] {
  const header = templated
    ? ['| field | type | required | default | templated | what it is |', '|---|---|---|---|---|---|']
    : ['| field | type | default | what it is |', '|---|---|---|---|'];
  const rows = Object.entries(properties).map(([name, s]) => {
    const what = cell(s.description ?? '');
    if (!templated) return `| \`${name}\` | ${cell(typeName(s))} | ${show(s.default)} | ${what} |`;
    const rendered = !NOT_TEMPLATED.has(name) && takesText(s) ? 'yes' : '';
    const req = required.includes(name) ? 'yes' : '';
    return `| \`${name}\` | ${cell(typeName(s))} | ${req} | ${show(s.default)} | ${rendered} | ${what} |`;
  });
  return [...header, ...rows];
}

function actionTable(rules: Readonly<Record<string, ActionRule>>): string[] {
  const names = (fields: readonly string[]) => fields.map((f) => `\`${f}\``).join(', ');
  return [
    '| action | needs | also uses |',
    '|---|---|---|',
    ...Object.entries(rules).map(([action, rule]) => {
      const needs = rule.needs.map((group) => group.map((f) => `\`${f}\``).join(' or ')).join(', ');
      return `| \`${action}\` | ${needs} | ${names(rule.uses)} |`;
    }),
  ];
}

export function operatorReference(): string {
  const common = toJson(CommonTaskSchema);
  const commonFields = new Set(Object.keys(common.properties ?? {}));
  const operators = TaskSchema.options.map((option) => {
    const json = toJson(option);
    return { name: json.properties!.operator!.const as OperatorName, json };
  });
  const jobs = operators.filter((o) => operatorDefinition(o.name).job);
  const jobFields = Object.keys(jobTaskFields);
  const pick = (json: JsonSchema, keep: (f: string) => boolean) =>
    Object.fromEntries(Object.entries(json.properties!).filter(([f]) => keep(f)));

  const out = [
    '<!-- Generated by `airless docs` from src/dag/operators/; do not edit. CI fails when it drifts. -->',
    '',
    '# Operator reference',
    '',
    'Every task names an `operator`. **templated** fields may hold `{{ dotted.path }}` templates,',
    'rendered when the task runs (roots: `params.X`, `conf.X`, `dag_id`, `run_id`, `task_id`, `ds`,',
    '`ds_nodash`, `ts`, `logical_date`, `tasks.<upstream>.output.<field>`); other fields are fixed',
    'when the DAG is compiled. A **default** in `default_args` applies to every task that does not',
    'set the field.',
    '',
    '## Fields of every task',
    '',
    ...fieldTable(common.properties ?? {}, [], false),
    '',
    `## Fields of every job operator (${jobs.map((o) => o.name).join(', ')})`,
    '',
    ...fieldTable(
      pick(jobs[0]!.json, (f) => jobFields.includes(f)),
      [],
      false,
    ),
  ];
  for (const { name, json } of operators) {
    const own = pick(json, (f) => f !== 'operator' && !commonFields.has(f) && !jobFields.includes(f));
    out.push('', `## \`${name}\``, '');
    if (Object.keys(own).length > 0) out.push(...fieldTable(own, json.required ?? [], true), '');
    else out.push('No fields of its own: it does nothing, and succeeds (a join or a marker).', '');
    const definition = operatorDefinition(name);
    const outputs = definition.outputs;
    out.push(
      `**Outputs** (\`{{ tasks.<id>.output.<field> }}\` downstream): ${
        outputs.length > 0 ? outputs.map((o) => `\`${o}\``).join(', ') : 'none'
      }.`,
    );
    if (definition.job) {
      const types = definition.connectionTypes.map((t) => `\`${t}\``).join(', ');
      out.push('', `**Connection types**: ${types}.`);
    }
    if (definition.actions) out.push('', '**Actions**:', '', ...actionTable(definition.actions));
    if (definition.notes) out.push('', definition.notes.join('\n'));
  }
  out.push(
    '',
    '## Connections',
    '',
    'A task names a connection (`connection: <name>`) defined under `connections:`. The host its',
    'credentials go to belongs to the connection and is written out in full: never a template.',
  );
  for (const option of ConnectionSchema.options) {
    const json = toJson(option);
    const own = Object.fromEntries(Object.entries(json.properties!).filter(([f]) => f !== 'type'));
    out.push('', `### \`${String(json.properties!.type!.const)}\``, '');
    if (Object.keys(own).length > 0) out.push(...fieldTable(own, json.required ?? [], false));
    else out.push('No fields: the identity comes from the environment.');
  }
  return `${out.join('\n')}\n`;
}
