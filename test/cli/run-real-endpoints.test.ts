import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators, type RunningEmulators } from '../../src/local/emulators/index.ts';
import { runCli } from './run-cli.ts';

/**
 * `airless run` with AIRLESS_EMULATORS=off against emulators started on their own (as
 * `airless emulators` runs them): nothing moves their clock but the wall clock, so every poke and
 * retry delay must really be waited, and each task try must submit exactly one job.
 */
const dir = mkdtempSync(join(tmpdir(), 'airless-real-endpoints-'));
const DAG = join(dir, 'two_jobs.yaml');
writeFileSync(
  DAG,
  `dag_id: two_jobs
params:
  genie_url: { type: string }
default_args: { retries: 2, retry_delay: 1s, execution_timeout: 1m, poke_interval: 1s }
connections:
  genie: { type: none }
tasks:
  first:
    operator: genie
    connection: genie
    endpoint: '{{ params.genie_url }}'
    cluster_tags: ['emr.cluster.role:batch']
    command_tags: ['type:spark-submit']
    command_arguments: first.py
    job_name: 'first-{{ ds_nodash }}'
  second:
    operator: genie
    depends_on: [first]
    connection: genie
    endpoint: '{{ params.genie_url }}'
    cluster_tags: ['emr.cluster.role:batch']
    command_tags: ['type:spark-submit']
    command_arguments: second.py
    job_name: 'second-{{ ds_nodash }}'
`,
);

let emu: RunningEmulators;
const saved = process.env.AIRLESS_EMULATORS;
beforeAll(async () => {
  // Real seconds: each job takes 2 s from submit to SUCCEEDED.
  emu = await startEmulators({
    timeScale: 1,
    defaultJobRunSeconds: 2,
    genie: { acceptSeconds: 0, initSeconds: 0 },
  });
  process.env.AIRLESS_EMULATORS = 'off';
});
afterAll(async () => {
  if (saved === undefined) delete process.env.AIRLESS_EMULATORS;
  else process.env.AIRLESS_EMULATORS = saved;
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('airless run against separately started emulators (AIRLESS_EMULATORS=off)', () => {
  it.each(['aws', 'azure'])(
    'engine %s waits real poke intervals and submits once per task try',
    async (engine) => {
      const stats = async () =>
        ((await (await fetch(`${emu.url}/_admin/stats`)).json()) as { submissions: Record<string, number> })
          .submissions;
      const before = await stats();
      // The first try of `first` fails after a second: try 2 must come after a real retry_delay.
      const fault = { kind: 'job-fails', service: 'genie', jobName: 'first-*', afterSeconds: 1, times: 1 };
      await fetch(`${emu.url}/_admin/faults`, { method: 'POST', body: JSON.stringify(fault) });
      const started = Date.now();
      const conf = JSON.stringify({ genie_url: emu.genieUrl });
      const result = await runCli(
        'run',
        DAG,
        '--engine',
        engine,
        '--conf',
        conf,
        '--logical-date',
        `2026-0${engine === 'aws' ? 1 : 2}-15`,
      );
      const wall = (Date.now() - started) / 1000;
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const submitted = Object.fromEntries(
        Object.entries(await stats())
          .filter(([name, n]) => before[name] !== n)
          // A retry's job name carries its try and a short hash of the run: `<name>-try2-<hash>`.
          .map(([name, n]) => [name.replace(/-try(\d+)-[0-9a-f]+$/, '-try$1'), n]),
      );
      const day = engine === 'aws' ? '20260115' : '20260215';
      // One submission per task try: first's two tries, second's one.
      expect(submitted).toEqual({ [`first-${day}`]: 1, [`first-${day}-try2`]: 1, [`second-${day}`]: 1 });
      // A failed second, a retry delay of 1 s, then two jobs of 2 s one after the other.
      expect(wall).toBeGreaterThanOrEqual(6);
      expect(result.stdout).toMatch(/wall-clock seconds/);
    },
  );
});
