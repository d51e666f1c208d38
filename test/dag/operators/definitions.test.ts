import { describe, expect, it } from 'vitest';
import { configSchema, type OperatorDefinition } from '../../../src/dag/operators/definition.ts';
import { OPERATOR_DEFINITIONS, OPERATORS } from '../../../src/dag/operators/index.ts';
import { TaskSchema } from '../../../src/dag/schema.ts';
import { CONNECTION_TYPES } from '../../../src/dag/vocabulary.ts';

const definitions = OPERATOR_DEFINITIONS as readonly OperatorDefinition[];

describe('operator definitions', () => {
  it('name each operator once, and the DAG schema has one task shape per operator, in that order', () => {
    expect(new Set(OPERATORS).size).toBe(OPERATORS.length);
    expect(TaskSchema.options.map((o) => o.shape.operator.value)).toEqual(OPERATORS);
  });

  it.each(definitions.map((d) => [d.name, d] as const))(
    '%s: action rules and run-time checks name only its own fields',
    (_name, definition) => {
      const fields = Object.keys(definition.fields);
      for (const rule of Object.values(definition.actions ?? {})) {
        for (const name of [...rule.needs.flat(), ...rule.uses]) expect(fields).toContain(name);
      }
      for (const name of Object.keys(definition.rendered)) expect(fields).toContain(name);
      expect(new Set(definition.outputs).size).toBe(definition.outputs.length);
      for (const type of definition.connectionTypes) expect(CONNECTION_TYPES).toContain(type);
      if (!definition.job) expect(definition.connectionTypes).toEqual([]);
    },
  );

  it('the handler check is stricter than the DAG field where a run-time check exists', () => {
    const rest = configSchema(definitions.find((d) => d.name === 'flink.rest')!);
    const base = { action: 'CANCEL' };
    expect(rest.safeParse({ ...base, job_id: '{{ params.id }}' }).success).toBe(false);
    expect(rest.safeParse({ ...base, job_id: 'a'.repeat(32) }).success).toBe(true);
    expect(rest.safeParse({ ...base, parallelism: '4' }).data?.parallelism).toBe(4);
    expect(rest.safeParse({ action: 'LIST_SAVEPOINT' }).success).toBe(false);
  });
});
