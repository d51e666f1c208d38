import { z } from 'zod';
import type { OperatorName } from './operators/index.ts';
import { HDINSIGHT_RULES, REST_RULES } from './action-rules.ts';
import { CONNECTION_TYPES_FOR } from './connection-checks.ts';
import { OPERATOR_OUTPUTS } from './operators/outputs.ts';
import { CommonTaskSchema, ConnectionSchema, TaskSchema } from './schema.ts';
import { NOT_TEMPLATED } from './validate.ts';

/**
 * docs/operators.md, made from the DAG schema itself (`airless docs`): every operator's fields with
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

function actionTable(rules: typeof HDINSIGHT_RULES): string[] {
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

/** Where the operator's jar comes from: read at run time by the task handler. */
const NOTES: Partial<Record<OperatorName, string[]>> = {
  'flink.hdinsight': [
    "The jar is not uploaded by airless: `jar_directory` is an `abfs://` directory in the cluster's",
    'storage account and `jar_name` a file in it; put the jar there before the run (for example',
    '`az storage fs file upload`). The cluster reads it when the action runs.',
  ],
  'flink.rest': [
    '`jar_path` is a file the task handler reads at submit time from its own file system and uploads',
    'to the JobManager (`POST /jars/upload`): on AWS Lambda a path inside the deployed package',
    '(`/var/task/...`) or a mounted EFS file system, on Azure Functions a path in the function app',
    '(for example under `/home/site/wwwroot`) or a mounted Azure Files share, and with `airless run` a',
    'path relative to where it runs. It must end in `.jar` and hold no `..`.',
    '`jar_id` names a jar already on the JobManager: upload it once yourself',
    '(`curl -F jarfile=@app.jar http://jobmanager:8081/jars/upload` answers',
    '`{"filename": ".../<id>_app.jar"}`; the id is the last path segment), or let an upstream task',
    'with `jar_path` upload it and read `{{ tasks.<that task>.output.jar_id }}`.',
  ],
};

export function operatorReference(): string {
  const common = toJson(CommonTaskSchema);
  const commonFields = new Set(Object.keys(common.properties ?? {}));
  const operators = TaskSchema.options.map((option) => {
    const json = toJson(option);
    return { name: json.properties!.operator!.const as OperatorName, json };
  });
  const jobs = operators.filter((o) => o.name !== 'empty');
  // Fields every job operator declares the same way (job_name, for one, differs between them).
  const same = (f: string) => JSON.stringify(jobs[0]!.json.properties![f]);
  const jobFields = Object.keys(jobs[0]!.json.properties!).filter(
    (f) =>
      f !== 'operator' &&
      !commonFields.has(f) &&
      jobs.every((o) => JSON.stringify(o.json.properties![f]) === same(f)),
  );
  const pick = (json: JsonSchema, keep: (f: string) => boolean) =>
    Object.fromEntries(Object.entries(json.properties!).filter(([f]) => keep(f)));

  const out = [
    '<!-- Generated by `airless docs` from src/dag/schema.ts; do not edit. CI fails when it drifts. -->',
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
    '## Fields of every job operator (flink.hdinsight, flink.rest, genie)',
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
    const outputs = OPERATOR_OUTPUTS[name];
    out.push(
      `**Outputs** (\`{{ tasks.<id>.output.<field> }}\` downstream): ${
        outputs.length > 0 ? outputs.map((o) => `\`${o}\``).join(', ') : 'none'
      }.`,
    );
    if (name !== 'empty') {
      const types = CONNECTION_TYPES_FOR[name].map((t) => `\`${t}\``).join(', ');
      out.push('', `**Connection types**: ${types}.`);
    }
    if (name === 'flink.hdinsight') out.push('', '**Actions**:', '', ...actionTable(HDINSIGHT_RULES));
    if (name === 'flink.rest') out.push('', '**Actions**:', '', ...actionTable(REST_RULES));
    const notes = NOTES[name];
    if (notes) out.push('', notes.join('\n'));
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
