import { describe, expect, it } from 'vitest';
import { MAX_DIAGNOSTICS, Suggester } from '../../src/dag/diagnostics.ts';
import { loadDag } from '../../src/dag/validate.ts';
import { hostileDag } from '../../bench/hostile-dags.ts';

describe('validation of hostile files stays bounded (times are in bench/dag-language.ts)', () => {
  it('shows the first 100 diagnostics, in order, and counts the rest', () => {
    const { diagnostics } = loadDag(hostileDag('bad-refs-one-string', 64 * 1024), 'f.yaml');
    expect(diagnostics).toHaveLength(MAX_DIAGNOSTICS + 1);
    expect(diagnostics.at(-1)!.message).toMatch(/^\.\.\. and \d+ more$/);
    const shown = diagnostics.slice(0, -1);
    const cols = shown.filter((d) => d.message.includes('unknown template variable')).map((d) => d.col);
    expect(cols).toEqual([...cols].sort((a, b) => a - b));
    expect(new Set(cols).size).toBe(cols.length);
  });

  it('points each of many problems in one long string at its own column', () => {
    const refs = Array.from({ length: 50 }, (_, i) => `{{ nope${i} }}`).join(' ');
    const { diagnostics } = loadDag(
      `dag_id: d\ntasks:\n  a: { operator: empty, doc: x }\n  b:\n    operator: genie\n    endpoint: http://x\n    cluster_tags: [a]\n    command_tags: [b]\n    command_arguments: "${refs}"\n`,
      'f.yaml',
    );
    const expected = Array.from({ length: 50 }, (_, i) => 25 + refs.indexOf(`{{ nope${i} }}`));
    expect(diagnostics.map((d) => d.col)).toEqual(expected);
  });

  it('stops suggesting past its budget, except for a difference of case', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `a_long_task_identifier_${i}`);
    const suggester = new Suggester(ids, 100_000);
    expect(suggester.hint('a_long_task_identifer_5')).toBe("; did you mean 'a_long_task_identifier_5'?");
    for (let i = 0; i < 10; i++) suggester.hint(`a_long_task_identifer_${i}`);
    expect(suggester.hint('a_long_task_identifer_7')).toBe('');
    expect(suggester.hint('A_LONG_TASK_IDENTIFIER_7')).toBe("; did you mean 'a_long_task_identifier_7'?");
    // A word asked before keeps its answer past the budget: a file repeating one typo costs one search.
    expect(suggester.hint('a_long_task_identifer_5')).toBe("; did you mean 'a_long_task_identifier_5'?");
  });

  it('suggests for an unknown key repeated in thousands of tasks, each at its own key', () => {
    const tasks = Array.from({ length: 3000 }, (_, i) => `  t${i}: { operator: empty, retires: 2 }`);
    const { diagnostics } = loadDag(['dag_id: d', 'tasks:', ...tasks].join('\n'), 'f.yaml');
    expect(diagnostics).toHaveLength(MAX_DIAGNOSTICS + 1);
    expect(diagnostics.slice(0, 2).map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual([
      "3:26 tasks.t0: unknown key 'retires' for operator empty; did you mean 'retries'?",
      "4:26 tasks.t1: unknown key 'retires' for operator empty; did you mean 'retries'?",
    ]);
  });

  it('shows the first 100 of over a hundred thousand YAML errors and counts the rest', () => {
    // About 43 errors a line: more than one call can take as arguments.
    const lines = Array.from({ length: 3000 }, (_, i) => `  t${i}: ${': '.repeat(40)}]`);
    const { diagnostics } = loadDag(['dag_id: d', 'tasks:', ...lines, ''].join('\n'), 'f.yaml');
    expect(diagnostics).toHaveLength(MAX_DIAGNOSTICS + 1);
    expect(diagnostics.filter((d) => d.message.startsWith('internal error'))).toEqual([]);
    expect(diagnostics.some((d) => d.message.startsWith('YAML: '))).toBe(true);
    expect(diagnostics.at(-1)!.message).toMatch(/^\.\.\. and \d{6} more$/);
  });
});
