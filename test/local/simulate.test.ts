import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateChecked } from '../compiler/aws/checked-simulation.ts';
import { planOf } from '../compiler/aws/plan-fixture.ts';
import { runCli } from '../cli/run-cli.ts';

describe('simulated runs keep virtual time outside the workflow state', () => {
  it('starts a join after its slowest branch', async () => {
    const trace = await simulateChecked(
      planOf({ a: { dur: 10 }, b: { dur: 100 }, c: { up: ['a', 'b'], dur: 5 } }),
    );
    expect(trace.tasks.c).toEqual({ state: 'success', try_number: 1, start_s: 100, end_s: 105 });
    expect(trace.makespan_s).toBe(105);
  });

  it('adds no ordering on a DAG that is not series-parallel: each task starts when its rule decides', async () => {
    // N: a->c, a->d, b->d. b starts at 0; d waits at its gate for a and b only.
    const plan = planOf({
      a: { dur: 10 },
      b: { dur: 100 },
      c: { up: ['a'], dur: 100 },
      d: { up: ['a', 'b'], dur: 10 },
    });
    const trace = await simulateChecked(plan);
    expect(trace.tasks.b!.start_s).toBe(0);
    expect(trace.tasks.c!.start_s).toBe(10);
    expect(trace.tasks.d!.start_s).toBe(100);
    expect(trace.makespan_s).toBe(110);
  });

  it('retries a failing task with the compiled delays and stops downstream tasks', async () => {
    const plan = planOf({ a: { retries: 2, exponential: true }, b: { up: ['a'] }, c: { op: 'empty' } });
    const trace = await simulateChecked(plan, { fail: ['a'] });
    // Tries of 60 s with waits of 30 s and 60 s between them.
    expect(trace.tasks.a).toEqual({ state: 'failed', try_number: 3, start_s: 0, end_s: 270 });
    expect(trace.tasks.b).toEqual({ state: 'upstream_failed', try_number: 0, start_s: null, end_s: null });
    expect(trace.tasks.c!.state).toBe('success');
    expect(trace.state).toBe('failed');
  });

  it('ends a try at execution_timeout when the job is still running', async () => {
    const plan = planOf({ a: { dur: 3 * 3600, retries: 1 } }, { execution_timeout_s: 3600 });
    const trace = await simulateChecked(plan);
    expect(trace.tasks.a!.state).toBe('failed');
    expect(trace.tasks.a!.try_number).toBe(2);
  });

  it('runs no more tasks at once than max_active_tasks', async () => {
    const tasks = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`t${i}`, { dur: 10 * (i + 1) }]));
    const trace = await simulateChecked(planOf(tasks, { max_active_tasks: 3 }));
    const spans = Object.values(trace.tasks).map((t) => [t.start_s!, t.end_s!] as const);
    for (const [start] of spans)
      expect(spans.filter(([s, e]) => s <= start && e > start).length).toBeLessThanOrEqual(3);
    expect(trace.makespan_s).toBeLessThan(280);
  });
});

describe('airless run --simulate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'airless-run-'));
  const dag = join(dir, 'sim_demo.yaml');
  const genie =
    'operator: genie, endpoint: "http://127.0.0.1:8080", cluster_tags: [yarn], command_tags: [spark]';
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    dag,
    [
      'dag_id: sim_demo',
      'description: a simulated run',
      'default_args: { execution_timeout: 1h }',
      'params: { region: { type: string, default: eu } }',
      'tasks:',
      `  extract: { ${genie}, expected_duration: 5m }`,
      `  load: { ${genie}, depends_on: [extract], expected_duration: 2m }`,
      '  report: { operator: empty, depends_on: [load], trigger_rule: all_done }',
    ].join('\n'),
  );

  it('prints a summary, writes the trace and exits 0 when the run succeeds', async () => {
    const out = join(dir, 'ok.json');
    const result = await runCli('run', dag, '--simulate', '--conf', '{"region":"us"}', '--trace', out);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^extract +success/m);
    const trace = JSON.parse(readFileSync(out, 'utf8'));
    expect(trace).toMatchObject({ dag_id: 'sim_demo', state: 'success', makespan_s: 420 });
    expect(trace.run_id).toMatch(/^manual__/);
    expect(trace.tasks.load).toEqual({ state: 'success', try_number: 1, start_s: 300, end_s: 420 });
  });

  it('exits 1 when a leaf fails, and reads --conf from a file', async () => {
    const out = join(dir, 'failed.json');
    const conf = join(dir, 'conf.json');
    writeFileSync(conf, '{"region": "us"}');
    const result = await runCli('run', dag, '--simulate', '--fail', 'report', '--conf', conf, '--trace', out);
    expect(result.code).toBe(1);
    const trace = JSON.parse(readFileSync(out, 'utf8'));
    expect(trace.state).toBe('failed');
    expect(trace.tasks.report).toEqual({ state: 'failed', try_number: 1, start_s: 420, end_s: 420 });
  });

  it('exits 0 when only an inner task fails and the leaf runs on all_done (as Airflow)', async () => {
    const out = join(dir, 'inner.json');
    const result = await runCli('run', dag, '--simulate', '--fail', 'extract', '--trace', out);
    expect(result.code).toBe(0);
    const trace = JSON.parse(readFileSync(out, 'utf8'));
    expect(trace.tasks.load.state).toBe('upstream_failed');
    expect(trace.tasks.report.state).toBe('success');
  });

  it('reports a DAG the engine cannot compile against the file, exit 1, as compile does', async () => {
    const unbounded = join(dir, 'unbounded.yaml');
    writeFileSync(unbounded, ['dag_id: unbounded', 'tasks:', `  extract: { ${genie} }`].join('\n'));
    const message = /unbounded\.yaml: error: .*task extract: a job task needs execution_timeout/;
    const run = await runCli('run', unbounded, '--simulate');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    const compile = await runCli('compile', unbounded, '--target', 'aws', '--out', join(dir, 'out'));
    expect(compile.code).toBe(1);
    expect(compile.stderr).toMatch(message);
  });

  it('answers usage errors with exit 2', async () => {
    expect((await runCli('run', dag, '--fail', 'extract')).stderr).toMatch(/--fail needs --simulate/);
    expect((await runCli('run', dag, '--simulate', '--fail', 'nope')).stderr).toMatch(
      /--fail names tasks not in sim_demo: nope/,
    );
    expect((await runCli('run', dag, '--simulate', '--engine', 'gcp')).code).toBe(2);
    expect((await runCli('run', dag, '--simulate', '--conf', '[1]')).code).toBe(2);
  });
});
