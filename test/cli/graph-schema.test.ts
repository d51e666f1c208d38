import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

describe('airless graph', () => {
  it('prints a Mermaid flowchart by default', async () => {
    const r = await runCli('graph', 'dags/movielens_genie.yaml');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('flowchart TD');
    expect(lines[1]).toBe('  n0["transform_to_parquet_movies<br/>genie"]');
    expect(lines.filter((l) => l.startsWith('  n0 --> '))).toHaveLength(4);
  });

  it('prints Graphviz dot with --format dot', async () => {
    const r = await runCli('graph', 'dags/flink_app_lifecycle.yaml', '--format', 'dot');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('digraph "flink_app_lifecycle" {');
    expect(r.stdout).toContain('"stop_job" [label="stop_job\\nflink.hdinsight STOP"];');
    expect(r.stdout).toContain('"stop_job" -> "start_from_savepoint";');
  });

  it('exits 1 with diagnostics for an invalid or missing file, 2 for a bad format', async () => {
    const missing = await runCli('graph', 'dags/nope.yaml');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^dags\/nope\.yaml:1:1: error: cannot read file/);
    expect((await runCli('graph', 'dags/flink_wordcount.yaml', '--format', 'svg')).code).toBe(2);
  });
});

describe('airless schema', () => {
  it('prints the JSON Schema, identical to the committed schema/dag.schema.json', async () => {
    const r = await runCli('schema');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'object', required: ['dag_id', 'tasks'] });
    const committed = readFileSync('schema/dag.schema.json', 'utf8');
    expect(r.stdout, 'regenerate it: node bin/airless.js schema > schema/dag.schema.json').toBe(committed);
  });

  it('is what the example DAGs point yaml-language-server at', () => {
    for (const dag of ['flink_wordcount', 'movielens_genie', 'flink_app_lifecycle']) {
      const first = readFileSync(`dags/${dag}.yaml`, 'utf8').split('\n')[0];
      expect(first).toBe('# yaml-language-server: $schema=../schema/dag.schema.json');
    }
  });
});

describe('bin/airless.js', () => {
  it('runs as a process and sets its exit code', () => {
    const ok = spawnSync(process.execPath, ['bin/airless.js', 'validate', 'dags'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe('3 files valid\n');
    const usage = spawnSync(process.execPath, ['bin/airless.js', 'graph'], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("missing required argument 'file'");
  });
});
