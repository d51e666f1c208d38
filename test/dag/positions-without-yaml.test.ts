import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as yaml from 'yaml';
import { HOSTILE_KINDS, hostileDag } from '../../bench/hostile-dags.ts';
import { formatDiagnostic } from '../../src/dag/diagnostics.ts';
import { loadDag } from '../../src/dag/validate.ts';

/** yaml's parser, watched: a file js-yaml reads must get its diagnostics' positions without it. */
vi.mock('yaml', async (original) => {
  const actual = await original<typeof yaml>();
  return { ...actual, parseDocument: vi.fn(actual.parseDocument) };
});
const parseDocument = vi.mocked(yaml.parseDocument);

const errors = (text: string): string[] => loadDag(text, 'dag.yaml').diagnostics.map(formatDiagnostic);

describe('a file with only semantic diagnostics', () => {
  beforeEach(() => {
    parseDocument.mockClear();
  });

  it('is read once by js-yaml for its value and once for its positions, never by yaml', () => {
    const text = [
      'dag_id: d',
      'shedule: "@daily"',
      'tasks:',
      '  a: { operator: empty, retires: 2 }',
      '  b:',
      '    operator: genie',
      '    endpoint: http://x',
      '    cluster_tags: [a]',
      '    command_tags: [b]',
      '    command_arguments: ["--day", "{{ ds }} {{ nope }}", "{{ params.p }}"]',
      '    depends_on: [a, c]',
      '',
    ].join('\n');
    expect(errors(text)).toEqual([
      "dag.yaml:2:1: error: unknown key 'shedule'; did you mean 'schedule'?",
      "dag.yaml:4:25: error: tasks.a: unknown key 'retires' for operator empty; did you mean 'retries'?",
      "dag.yaml:10:44: error: tasks.b.command_arguments[1]: unknown template variable 'nope' (templates may use 'dag_id', 'run_id', 'task_id', 'ds', 'ds_nodash', 'ts', 'logical_date', 'params.X', 'conf.X' or 'tasks.<id>.output.<field>')",
      "dag.yaml:10:58: error: tasks.b.command_arguments[2]: unknown param 'p' in 'params.p' (the DAG declares no params)",
      "dag.yaml:11:21: error: tasks.b.depends_on[1]: unknown task 'c'",
    ]);
    expect(parseDocument).not.toHaveBeenCalled();
  });

  it('holds for every hostile kind of the bench, each showing 100 diagnostics and a count', () => {
    for (const kind of HOSTILE_KINDS.filter((k) => k !== 'valid')) {
      const { diagnostics } = loadDag(hostileDag(kind, 32 * 1024), `${kind}.yaml`);
      expect(diagnostics.length, kind).toBe(101);
    }
    expect(parseDocument).not.toHaveBeenCalled();
  });

  it('while a syntax error still takes yaml, which reports it at its place', () => {
    expect(errors('dag_id: d\ntasks: [\n')).toEqual([
      'dag.yaml:2:8: error: tasks: expected a mapping, got a list',
      'dag.yaml:3:1: error: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    expect(parseDocument).toHaveBeenCalled();
  });
});
