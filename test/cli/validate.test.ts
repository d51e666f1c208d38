import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

const BROKEN = `dag_id: broken
tasks:
  a:
    operator: empty
    depends_on: [missing]
  b:
    operator: emtpy
`;

async function tempDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'airless-validate-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

describe('airless validate', () => {
  it('accepts the example DAGs, skipping the run configuration beside them', async () => {
    const r = await runCli('validate', 'dags');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('3 files valid\n');
  });

  it('prints every problem as file:line:col and exits 1', async () => {
    const dir = await tempDir({ 'broken.yaml': BROKEN });
    const file = join(dir, 'broken.yaml');
    const r = await runCli('validate', file);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${file}:5:18: error: .*'missing'`));
    expect(lines[1]).toMatch(new RegExp(`^${file}:7:15: error: .*did you mean 'empty'`));
    expect(lines.at(-1)).toBe('1 file checked: 0 valid, 1 invalid (2 errors)');
  });

  it('reports valid and invalid files of a directory together', async () => {
    const dir = await tempDir({
      'ok.yml': 'dag_id: ok\ntasks:\n  a: { operator: empty }\n',
      'bad.json': '{"dag_id": "Bad Id", "tasks": {}}',
      'notes.txt': 'not a DAG',
      'run.conf.json': '{"x": 1}',
    });
    const r = await runCli('validate', dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^${join(dir, 'bad.json')}:1:12: error: dag_id`, 'm'));
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(
      /^2 files checked: 1 valid, 1 invalid \(\d+ errors?\)$/,
    );
  });

  it('rejects a dag_id used by two files', async () => {
    const text = 'dag_id: same\ntasks:\n  a: { operator: empty }\n';
    const dir = await tempDir({ 'a.yaml': text, 'b.yaml': `# copy\n${text}` });
    const r = await runCli('validate', dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `${join(dir, 'b.yaml')}:2:1: error: dag_id 'same' is already used by ${join(dir, 'a.yaml')}`,
    );
  });

  it('exits 2 on usage errors', async () => {
    expect((await runCli('validate')).code).toBe(2);
    const missing = await runCli('validate', 'no/such/file.yaml');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file or directory: no/such/file.yaml');
    const empty = await tempDir({});
    expect((await runCli('validate', empty)).code).toBe(2);
    expect((await runCli('validate', '--bogus', 'dags')).code).toBe(2);
  });

  it('has --help', async () => {
    const r = await runCli('validate', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: airless validate');
    expect(r.stdout).toContain('Exit codes');
  });
});
