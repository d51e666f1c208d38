import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dagJsonSchema, DagSchema } from '../../src/dag/schema.ts';

const wordcount = parse(readFileSync(new URL('fixtures/flink_wordcount.yaml', import.meta.url), 'utf8'));

describe('DagSchema', () => {
  it('parses the DAG-FORMAT example as written (no defaults added)', () => {
    const dag = DagSchema.parse(wordcount);
    expect(dag.catchup).toBeUndefined();
    expect(dag.tasks.report).toEqual({
      operator: 'empty',
      depends_on: ['submit_wordcount'],
      trigger_rule: 'all_done',
    });
  });

  it('rejects unknown keys at every level', () => {
    const bad = structuredClone(wordcount);
    bad.tasks.submit_wordcount.cluster.region = 'x';
    expect(DagSchema.safeParse(bad).error?.issues.map((i) => [i.code, i.path])).toEqual([
      ['unrecognized_keys', ['tasks', 'submit_wordcount', 'cluster']],
    ]);
  });
});

describe('dagJsonSchema', () => {
  const schema = dagJsonSchema() as {
    $schema: string;
    required: string[];
    additionalProperties: boolean;
    properties: Record<string, { additionalProperties?: { anyOf?: unknown[]; oneOf?: unknown[] } }>;
  };

  it('is draft-07 JSON Schema with the required fields and strict objects', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.required).toEqual(['dag_id', 'tasks']);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual([
      'dag_id',
      'description',
      'schedule',
      'timezone',
      'start_date',
      'end_date',
      'catchup',
      'max_active_runs',
      'max_active_tasks',
      'params',
      'default_args',
      'connections',
      'secrets',
      'triggers',
      'tasks',
    ]);
  });

  it('offers one task shape per operator, for editor completion', () => {
    const tasks = schema.properties.tasks!.additionalProperties!;
    const variants = (tasks.oneOf ?? tasks.anyOf) as Array<{ properties: { operator: { const: string } } }>;
    expect(variants.map((v) => v.properties.operator.const)).toEqual([
      'empty',
      'flink.hdinsight',
      'flink.rest',
      'genie',
    ]);
  });

  it('survives a JSON round trip', () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});
