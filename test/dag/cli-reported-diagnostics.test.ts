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

  it('catchup: true is allowed with a schedule and a start_date, and refused without either', () => {
    const tasks = 'tasks:\n  a: { operator: empty }\n';
    expect(errors(`dag_id: d\nschedule: '@daily'\nstart_date: 2026-01-01\ncatchup: true\n${tasks}`)).toEqual(
      [],
    );
    expect(errors(`dag_id: d\ncatchup: true\n${tasks}`)).toEqual([
      'dag.yaml:2:10: error: catchup: true needs a schedule (a cron, a preset or rate(...)): there are no missed intervals without one',
      'dag.yaml:2:10: error: catchup: true needs a start_date: missed intervals are counted from it',
    ]);
    expect(errors(`dag_id: d\nschedule: null\nstart_date: 2026-01-01\ncatchup: true\n${tasks}`)).toEqual([
      'dag.yaml:4:10: error: catchup: true needs a schedule (a cron, a preset or rate(...)): there are no missed intervals without one',
    ]);
    expect(errors(`dag_id: d\ncatchup: false\n${tasks}`)).toEqual([]);
  });

  it('start_date and end_date: dates or RFC 3339 date-times, end not before start, each at its line', () => {
    const tasks = 'tasks:\n  a: { operator: empty }\n';
    expect(errors(`dag_id: d\nstart_date: 2026-02-30\nend_date: yesterday\n${tasks}`)).toEqual([
      "dag.yaml:2:13: error: start_date: '2026-02-30' is not a date (2026-01-01) or a date-time (2026-01-01T06:00:00Z)",
      "dag.yaml:3:11: error: end_date: 'yesterday' is not a date (2026-01-01) or a date-time (2026-01-01T06:00:00Z)",
    ]);
    expect(errors(`dag_id: d\nstart_date: 2026-03-01\nend_date: 2026-02-01T00:00:00Z\n${tasks}`)).toEqual([
      'dag.yaml:3:11: error: end_date: 2026-02-01T00:00:00Z is before start_date 2026-03-01',
    ]);
    // A date is midnight in the DAG's zone: in Tokyo, 2026-03-01 is 2026-02-28T15:00Z.
    const zoned = `dag_id: d\ntimezone: Asia/Tokyo\nstart_date: 2026-03-01\nend_date: 2026-02-28T16:00:00Z\n${tasks}`;
    expect(errors(zoned)).toEqual([]);
    expect(errors(zoned.replace('T16:', 'T14:'))).toEqual([
      'dag.yaml:4:11: error: end_date: 2026-02-28T14:00:00Z is before start_date 2026-03-01',
    ]);
  });

  it('a scheduled DAG with catchup needs param defaults, as every scheduled DAG does', () => {
    const text =
      "dag_id: d\nschedule: '@daily'\nstart_date: 2026-01-01\ncatchup: true\nparams:\n  n: { type: integer }\ntasks:\n  a: { operator: empty }\n";
    expect(errors(text)).toEqual([
      "dag.yaml:6:3: error: params.n: needs a default: scheduled runs (schedule '@daily') start without conf",
    ]);
  });
});
