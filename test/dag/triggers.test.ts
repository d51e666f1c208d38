import { describe, expect, it } from 'vitest';
import { buildIr } from '../../src/compiler/build-ir.ts';
import { stableStringify } from '../../src/compiler/serialize.ts';
import { formatDiagnostic } from '../../src/dag/diagnostics.ts';
import { dagJsonSchema } from '../../src/dag/schema.ts';
import { loadDag } from '../../src/dag/validate.ts';

const errors = (text: string): string[] => loadDag(text, 'dag.yaml').diagnostics.map(formatDiagnostic);
const dag = (triggers: string): string =>
  `dag_id: d\ntriggers:\n${triggers}tasks:\n  a: { operator: empty }\n`;

describe('data triggers in the DAG format', () => {
  it('takes an s3 trigger or a blob trigger per entry, and the IR says which, defaults filled', () => {
    const text = dag(
      '  - blob: { container: landing-zone, prefix: in/, suffix: .csv }\n' +
        '  - s3: { bucket: b }\n' +
        '  - blob: { container: raw }\n',
    );
    const { dag: doc, diagnostics } = loadDag(text, 'dag.yaml');
    expect(diagnostics).toEqual([]);
    const ir = buildIr(doc!, text);
    expect(ir.triggers).toEqual([
      { blob: { container: 'landing-zone', prefix: 'in/', suffix: '.csv' } },
      { s3: { bucket: 'b', prefix: '', suffix: '' } },
      { blob: { container: 'raw', prefix: '', suffix: '' } },
    ]);
    // Deterministic: the same file gives the same serialized IR.
    expect(stableStringify(buildIr(loadDag(text, 'dag.yaml').dag!, text))).toBe(stableStringify(ir));
  });

  it.each(['ab', 'x'.repeat(64), 'Landing', 'land--ing', '-landing', 'landing-', 'land_ing', '"land ing"'])(
    'refuses the container name %j at its position',
    (name) => {
      expect(errors(dag(`  - blob: { container: ${name} }\n`))).toEqual([
        'dag.yaml:3:24: error: triggers[0].blob.container: must be 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit',
      ]);
    },
  );

  it.each(['abc', 'x'.repeat(63), 'a-b-c', '0landing9'])('takes the container name %j', (name) => {
    expect(errors(dag(`  - blob: { container: ${name} }\n`))).toEqual([]);
  });

  it('an entry takes exactly one of s3 and blob', () => {
    expect(errors(dag('  - s3: { bucket: b }\n    blob: { container: abc }\n'))).toEqual([
      'dag.yaml:3:5: error: triggers[0]: give exactly one of s3 or blob',
    ]);
    expect(errors(dag('  - {}\n'))).toEqual([
      'dag.yaml:3:5: error: triggers[0]: give exactly one of s3 or blob',
    ]);
    expect(errors(dag('  - blob: { container: abc, bucket: b }\n'))).toEqual([
      "dag.yaml:3:29: error: triggers[0].blob: unknown key 'bucket'",
    ]);
  });

  it('the JSON schema offers both kinds and requires one', () => {
    const schema = dagJsonSchema() as {
      properties: { triggers: { items: Record<string, unknown> & { properties: Record<string, unknown> } } };
    };
    const item = schema.properties.triggers.items;
    expect(Object.keys(item.properties).sort()).toEqual(['blob', 's3']);
    expect(item.oneOf).toEqual([{ required: ['s3'] }, { required: ['blob'] }]);
    expect(item.properties.blob).toMatchObject({
      required: ['container'],
      properties: { container: { pattern: '^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$' } },
    });
  });
});
