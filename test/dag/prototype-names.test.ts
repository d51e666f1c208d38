import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aslProblems } from '../../src/compiler/aws/emit/validate.ts';
import { loadDag } from '../../src/dag/validate.ts';
import { runCli } from '../cli/run-cli.ts';

/** Names Object.prototype already has: a plain object used as a map answers them without holding them. */
const PROTOTYPE_NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

const dir = mkdtempSync(join(tmpdir(), 'airless-proto-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const messages = (text: string): string[] => loadDag(text, 'f.yaml').diagnostics.map((d) => d.message);
const positions = (text: string): string[] =>
  loadDag(text, 'f.yaml').diagnostics.map((d) => `${d.line}:${d.col}`);

describe('names Object.prototype holds', () => {
  it('refuses __proto__ as a task id, at its line, instead of losing the task', () => {
    const text = [
      'dag_id: p',
      'tasks:',
      '  __proto__: { operator: empty }',
      '  b: { operator: empty, depends_on: [__proto__] }',
    ].join('\n');
    expect(messages(text).some((m) => /'__proto__' is reserved/.test(m))).toBe(true);
    expect(positions(text)).toContain('3:3');
  });

  it('refuses __proto__ as a param name and as any other key', () => {
    const param = [
      'dag_id: p',
      'params:',
      '  __proto__: { type: string, default: x }',
      'tasks: { a: { operator: empty } }',
    ];
    expect(messages(param.join('\n')).some((m) => /'__proto__' is reserved/.test(m))).toBe(true);
    expect(positions(param.join('\n'))).toContain('3:3');
    const nested = [
      'dag_id: p',
      'tasks:',
      '  a:',
      '    operator: flink.hdinsight',
      '    flink_configuration: { "__proto__": "x" }',
    ].join('\n');
    expect(messages(nested).some((m) => /flink_configuration: '__proto__' is reserved/.test(m))).toBe(true);
  });

  it('answers a param type named after a prototype member with a diagnostic, not an internal error', () => {
    for (const type of ['__proto__', 'toString', 'constructor']) {
      const found = messages(
        [
          'dag_id: p',
          `params: { a: { type: ${type}, default: 1 } }`,
          'tasks: { a: { operator: empty } }',
        ].join('\n'),
      );
      expect(found.join('\n')).not.toMatch(/internal error/);
      expect(found.some((m) => m.includes(`unknown type '${type}'`))).toBe(true);
    }
  });

  it('answers an alias that contains itself with a diagnostic', () => {
    const result = loadDag(
      ['dag_id: p', 'params: &p { a: { default: *p } }', 'tasks: { a: { operator: empty } }'].join('\n'),
      'f.yaml',
    );
    expect(result.dag).toBeNull();
    expect(result.diagnostics.map((d) => d.message).join('\n')).toMatch(
      /alias \*p refers to a node that contains it/,
    );
    expect(result.diagnostics[0]!.line).toBe(2);
  });

  const file = write('proto_ids.yaml', [
    'dag_id: proto_ids',
    'default_args: { execution_timeout: 1h }',
    'params:',
    ...PROTOTYPE_NAMES.map((p) => `  ${p}: { type: string, default: x }`),
    'tasks:',
    ...PROTOTYPE_NAMES.map(
      (id, i) =>
        `  ${id}: { operator: empty${i > 0 ? `, depends_on: [${PROTOTYPE_NAMES[i - 1]}]` : ''}, expected_duration: 1m }`,
    ),
    `  last: { operator: genie, endpoint: 'http://127.0.0.1:1', cluster_tags: [y], command_tags: [s], job_name: '{{ params.constructor }}-{{ params.toString }}', depends_on: [${PROTOTYPE_NAMES.join(', ')}] }`,
  ]);

  it('validates and compiles task ids and params named after prototype members', async () => {
    expect((await runCli('validate', file)).code).toBe(0);
    const result = await runCli('compile', file, '--target', 'all', '--out', join(dir, 'out'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const plan = JSON.parse(readFileSync(join(dir, 'out', 'proto_ids.plan.json'), 'utf8'));
    expect(plan.tasks.map((t: { task_id: string }) => t.task_id)).toEqual([...PROTOTYPE_NAMES, 'last']);
    expect(Object.keys(plan.params).sort()).toEqual([...PROTOTYPE_NAMES].sort());
  });

  for (const engine of ['aws', 'azure']) {
    it(`runs them end to end on the ${engine} engine`, async () => {
      const trace = join(dir, `${engine}.json`);
      const result = await runCli('run', file, '--simulate', '--engine', engine, '--trace', trace);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const tasks = JSON.parse(readFileSync(trace, 'utf8')).tasks;
      expect(Object.keys(tasks).sort()).toEqual([...PROTOTYPE_NAMES, 'last'].sort());
      for (const id of [...PROTOTYPE_NAMES, 'last']) expect(tasks[id].state).toBe('success');
    }, 60_000);
  }

  it('prints no stack trace for a file that once crashed compile', async () => {
    const crashed = write('crash.yaml', [
      'dag_id: crash',
      'tasks:',
      '  __proto__: { operator: empty }',
      '  b: { operator: empty, depends_on: [__proto__] }',
    ]);
    for (const argv of [
      ['validate', crashed],
      ['compile', crashed, '--target', 'all', '--out', join(dir, 'out2')],
      ['run', crashed, '--simulate'],
    ]) {
      const result = await runCli(...argv);
      expect(result.code).toBe(1);
      expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('still finds fields that collide once .$ is stripped', () => {
    const definition = {
      StartAt: 's',
      States: { s: { Type: 'Pass', Parameters: { 'a.$': '$.x', a: 1, toString: 2 }, End: true } },
    };
    expect(aslProblems(definition as never)).toEqual([
      "DUPLICATE_FIELD_NAME: 'a' twice once '.$' is stripped",
    ]);
  });
});
