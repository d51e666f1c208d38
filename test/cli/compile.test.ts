import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TARGETS } from '../../src/compiler/targets.ts';
import { runCli } from './run-cli.ts';

const EXAMPLES = ['flink_app_lifecycle', 'flink_wordcount', 'movielens_genie'];
const outDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'airless-compile-'));

describe('airless compile', () => {
  it('writes <dag_id>.plan.json for every DAG, equal to the golden IR', async () => {
    const out = await outDir();
    const r = await runCli('compile', 'dags', '--target', 'plan', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(
      EXAMPLES.map((id) => `wrote ${join(out, `${id}.plan.json`)}`),
    );
    for (const id of EXAMPLES) {
      const written = await readFile(join(out, `${id}.plan.json`), 'utf8');
      expect(written).toBe(await readFile(join('test/golden', `${id}.plan.json`), 'utf8'));
    }
  });

  it('--target all writes one file per registered target and DAG', async () => {
    const out = await outDir();
    expect((await runCli('compile', 'dags', '--target', 'all', '--out', out)).code).toBe(0);
    const expected = EXAMPLES.flatMap((id) => TARGETS.map((t) => `${id}${t.fileSuffix}`)).sort();
    expect((await readdir(out)).sort()).toEqual(expected);
  });

  it('--check passes when up to date and lists missing, drifted and stale files', async () => {
    const out = await outDir();
    await runCli('compile', 'dags', '--out', out);
    const ok = await runCli('compile', 'dags', '--out', out, '--check');
    expect(ok).toMatchObject({ code: 0, stdout: `3 files up to date in ${out}\n` });

    await writeFile(join(out, 'flink_wordcount.plan.json'), '{}\n');
    await rm(join(out, 'movielens_genie.plan.json'));
    await writeFile(join(out, 'old_dag.plan.json'), '{}\n');
    const before = await readdir(out);
    const drift = await runCli('compile', 'dags', '--out', out, '--check');
    expect(drift.code).toBe(1);
    expect(drift.stderr).toContain(`drifted: ${join(out, 'flink_wordcount.plan.json')}`);
    expect(drift.stderr).toContain(`missing: ${join(out, 'movielens_genie.plan.json')}`);
    expect(drift.stderr).toContain(`stale: ${join(out, 'old_dag.plan.json')}`);
    const fix = `airless compile dags --target plan --out ${out} --prune`;
    expect(drift.stderr).toContain(`3 files out of date; to update them, run: ${fix}`);
    expect(await readdir(out)).toEqual(before);

    // The suggested command really fixes it, the stale file included.
    expect((await runCli(...fix.split(' ').slice(1))).code).toBe(0);
    expect(await readdir(out)).not.toContain('old_dag.plan.json');
    expect((await runCli('compile', 'dags', '--out', out, '--check')).code).toBe(0);
  });

  it('--validate checks every state machine with asl-validator and writes the same files', async () => {
    const out = await outDir();
    const r = await runCli('compile', 'dags', '--target', 'aws', '--out', out, '--validate');
    expect(r.code).toBe(0);
    for (const id of EXAMPLES) {
      const written = await readFile(join(out, `${id}.asl.json`), 'utf8');
      expect(written).toBe(await readFile(join('statemachines', `${id}.asl.json`), 'utf8'));
    }
  });

  it('--report prints the plan facts of each DAG as a table', async () => {
    const r = await runCli('compile', 'dags/movielens_genie.yaml', '--out', await outDir(), '--report');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('## movielens_genie');
    expect(r.stdout).toMatch(
      /^critical path +transform_to_parquet_movies ->\n +transform_to_parquet_genome_scores \(18m\)$/m,
    );
    expect(r.stdout).toMatch(/^max_active_runs \/ max_active_tasks +1 \/ 3$/m);
  });

  it('--report fits 100 columns and pads no row to the longest cell of its last column', async () => {
    const r = await runCli('compile', 'dags', '--target', 'all', '--out', await outDir(), '--report');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.filter((l) => l.length > 100)).toEqual([]);
    expect(lines.filter((l) => / $/.test(l))).toEqual([]);
  });

  it('writes nothing and exits 1 when a DAG is invalid', async () => {
    const dir = await outDir();
    await writeFile(join(dir, 'bad.yaml'), 'dag_id: bad\ntasks:\n  a: { operator: empty, retries: -1 }\n');
    const out = join(dir, 'out');
    const r = await runCli('compile', dir, '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${join(dir, 'bad.yaml')}:3:\\d+: error: .*retries`, 'm'));
    expect(r.stderr).toContain('nothing written');
    await expect(readdir(out)).rejects.toThrow();
  });

  it('exits 2 on usage errors', async () => {
    const unknown = await runCli('compile', 'dags', '--target', 'k8s', '--out', await outDir());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('k8s');
    expect((await runCli('compile', 'dags')).code).toBe(2);
    expect((await runCli('compile', '--out', 'x')).code).toBe(2);
    expect((await runCli('compile', 'nowhere', '--out', 'x')).code).toBe(2);
  });

  it('has --help naming the targets', async () => {
    const r = await runCli('compile', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('plan (<dag_id>.plan.json)');
  });
});
