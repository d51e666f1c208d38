import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'airless-run-command-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

const WORDCOUNT = 'dags/flink_wordcount.yaml';
const conf = JSON.parse(readFileSync('dags/flink_wordcount.conf.json', 'utf8')) as Record<string, unknown>;

describe('airless run: the conf is checked as the HTTP API checks it, before anything starts', () => {
  it.each([[[]], [['--simulate']]])(
    'with %j: a missing required param is refused, nothing runs',
    async (extra) => {
      const { clusterNm: _, ...missing } = conf;
      const r = await runCli('run', WORDCOUNT, ...extra, '--conf', JSON.stringify(missing));
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('conf.clusterNm: is required');
      expect(r.stdout).toBe('');
    },
  );

  it('reports a wrong type and a misspelt key, every problem at once', async () => {
    const r = await runCli(
      'run',
      WORDCOUNT,
      '--simulate',
      '--conf',
      JSON.stringify({ ...conf, rg: 7, jarNme: 'x' }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('conf.rg: must be of type string, got integer');
    expect(r.stderr).toMatch(/conf\.jarNme: is not a param of flink_wordcount .*did you mean 'jarName'\?/);
    expect(r.stdout).toBe('');
  });

  it("reads --conf '[1,2]' as JSON (not a file name) and refuses it: conf must be an object", async () => {
    const r = await runCli('run', WORDCOUNT, '--simulate', '--conf', '[1,2]');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('conf must be a JSON object, got an array');
    expect(r.stderr).not.toContain('cannot read');
  });
});

describe('airless run --logical-date', () => {
  it.each(['aws', 'azure'])('reproduces that day in the run id on engine %s', async (engine) => {
    const out = join(dir, `${engine}.json`);
    const r = await runCli(
      'run',
      WORDCOUNT,
      '--simulate',
      '--engine',
      engine,
      '--conf',
      JSON.stringify(conf),
      '--logical-date',
      '2024-03-05',
      '--trace',
      out,
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).run_id).toBe('manual__2024-03-05T00:00:00.000Z');
  });

  it.each(['yesterday', '2026-02-30'])('refuses %s as the HTTP API does, exit 2', async (date) => {
    const r = await runCli('run', WORDCOUNT, '--simulate', '--logical-date', date);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--logical-date must be a date');
  });
});

describe('airless run output', () => {
  const run = () =>
    runCli('run', WORDCOUNT, '--simulate', '--conf', JSON.stringify(conf), '--fail', 'submit_wordcount');

  it("colours states in Airflow's colours when colour is on", async () => {
    vi.stubEnv('NO_COLOR', '');
    vi.stubEnv('FORCE_COLOR', '1');
    expect((await run()).stdout).toContain('\u001b[31mfailed\u001b[0m');
  });

  it('never colours with NO_COLOR, nor when stdout is not a terminal', async () => {
    vi.stubEnv('FORCE_COLOR', undefined);
    vi.stubEnv('NO_COLOR', '');
    const tty = process.stdout.isTTY;
    process.stdout.isTTY = false;
    try {
      expect((await run()).stdout).not.toContain('\u001b[');
    } finally {
      process.stdout.isTTY = tty;
    }
    vi.stubEnv('FORCE_COLOR', '1');
    vi.stubEnv('NO_COLOR', '1');
    expect((await run()).stdout).not.toContain('\u001b[');
  });

  it('says which seconds the times are, and gives azure no transitions', async () => {
    const aws = await run();
    expect(aws.stdout).toContain('(times in simulated seconds since the run started)');
    expect(aws.stdout).toMatch(/\d+ transitions, \d+ history events/);
    const azure = await runCli(
      'run',
      WORDCOUNT,
      '--simulate',
      '--engine',
      'azure',
      '--conf',
      JSON.stringify(conf),
    );
    expect(azure.stdout).toMatch(/; \d+ history events/);
    expect(azure.stdout).not.toContain('transitions');
  });
});

describe('airless run: file arguments', () => {
  it('says a directory is not a DAG file (no EISDIR), exit 2', async () => {
    const r = await runCli('run', 'dags');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('dags is a directory; airless run takes one DAG file');
    expect(r.stderr).not.toContain('EISDIR');
  });

  it('exits 2 on a missing file, as validate does', async () => {
    const r = await runCli('run', 'dags/nope.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no such file: dags/nope.yaml');
    expect((await runCli('validate', 'dags/nope.yaml')).code).toBe(2);
  });
});

describe('airless run --seed', () => {
  it('is refused where there are no built-in emulators to seed, and checked like a conf', async () => {
    const seed = 'dags/flink_app_lifecycle.seed.json';
    const sim = await runCli('run', WORDCOUNT, '--simulate', '--conf', JSON.stringify(conf), '--seed', seed);
    expect(sim.code).toBe(2);
    expect(sim.stderr).toContain('--seed needs real handlers');
    vi.stubEnv('AIRLESS_EMULATORS', 'off');
    const off = await runCli('run', WORDCOUNT, '--conf', JSON.stringify(conf), '--seed', seed);
    expect(off.code).toBe(2);
    expect(off.stderr).toContain('airless emulators --seed');
    vi.unstubAllEnvs();
    const bad = await runCli(
      'run',
      WORDCOUNT,
      '--conf',
      JSON.stringify(conf),
      '--seed',
      '{"hdinsight_jobs":[{"cluster":"x"}]}',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('seed.hdinsight_jobs.0.cluster: must be a cluster ARM id');
  });
});
