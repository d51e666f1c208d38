import { operatorDefinition } from '../dag/operators/index.ts';
import type { TaskDocument } from '../dag/schema.ts';
import { listReferences } from '../dag/templates.ts';
import type { TaskIR, TemplateRefIR } from './ir.ts';

/** Task fields that are not operator configuration: they have their own TaskIR fields. */
const TASK_IR_FIELDS = new Set([
  'operator',
  'depends_on',
  'trigger_rule',
  'retries',
  'retry_delay',
  'retry_exponential_backoff',
  'max_retry_delay',
  'execution_timeout',
  'expected_duration',
  'doc',
  'connection',
  'wait_for',
  'poke_interval',
  'max_poke_interval',
]);

/**
 * TaskIR.config: the operator's own fields, with defaults applied and shapes normalised by the
 * operator's definition (compileConfig). Strings keep their `{{ ... }}` templates.
 */
export function taskConfig(task: TaskDocument): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(task)) {
    if (!TASK_IR_FIELDS.has(key) && value !== undefined) config[key] = value;
  }
  operatorDefinition(task.operator).compileConfig?.(config);
  return config;
}

/** TaskIR.templates: each distinct (field, reference) pair in `config`, sorted by field then reference. */
export function templateRefs(config: Record<string, unknown>): TemplateRefIR[] {
  const unique = new Map<string, TemplateRefIR>();
  for (const { path, ref } of listReferences(config)) {
    const field = path.join('.');
    unique.set(`${field}\n${ref}`, { field, ref });
  }
  return [...unique.values()].sort(
    (a, b) => compareStrings(a.field, b.field) || compareStrings(a.ref, b.ref),
  );
}

/** TaskIR.reads: the upstream outputs `tasks.<task>.output.<field>` the templates read, sorted. */
export function upstreamReads(templates: TemplateRefIR[]): TaskIR['reads'] {
  const unique = new Map<string, { task: string; field: string }>();
  for (const { ref } of templates) {
    const [root, task, output, field] = ref.split('.');
    if (root === 'tasks' && output === 'output' && task && field)
      unique.set(`${task}\n${field}`, { field, task }); // sorted keys: stableStringify reuses it
  }
  return [...unique.values()].sort(
    (a, b) => compareStrings(a.task, b.task) || compareStrings(a.field, b.field),
  );
}

export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
