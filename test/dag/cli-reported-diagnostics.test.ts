import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/dag/diagnostics.ts';
import { loadDag } from '../../src/dag/validate.ts';

/** Messages a new user met in issue 11, each saying what is wrong and what to write instead. */
const errors = (text: string): string[] => loadDag(text, 'dag.yaml').diagnostics.map(formatDiagnostic);
const HDI = 'cluster: { subscription: s, resource_group: r, pool: p, name: n }, job_name: j';

describe('diagnostics that name the fix', () => {
  it('a missing action says it is missing, never "unknown action \'undefined\'"', () => {
    const out = errors(`dag_id: d\ntasks:\n  a: { operator: flink.hdinsight, ${HDI} }\n`);
    expect(out.join('\n')).toContain("missing required field 'action' (one of 'NEW', 'UPDATE'");
    expect(out.join('\n')).not.toContain('undefined');
  });

  it('jar_name on flink.rest points to jar_path / jar_id, not to job_name', () => {
    const out = errors(
      'dag_id: d\ntasks:\n  a: { operator: flink.rest, endpoint: "http://jm:8081", action: NEW, jar_name: x.jar, entry_class: X }\n',
    );
    const line = out.find((l) => l.includes("'jar_name'"))!;
    expect(line).toContain("'jar_path'");
    expect(line).toContain("'jar_id'");
    expect(line).not.toContain("did you mean 'job_name'");
  });

  it('catchup: true is refused until backfill lands, never silently ignored', () => {
    expect(errors('dag_id: d\ncatchup: true\ntasks:\n  a: { operator: empty }\n')).toEqual([
      'dag.yaml:2:10: error: catchup: true is not supported yet (there is no backfill); remove it or write false',
    ]);
    expect(errors('dag_id: d\ncatchup: false\ntasks:\n  a: { operator: empty }\n')).toEqual([]);
  });
});
