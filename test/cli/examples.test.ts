import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildIr } from '../../src/compiler/build-ir.ts';
import { loadDag } from '../../src/dag/validate.ts';
import { resolveRunParams } from '../../src/dag/params.ts';
import type { RunTrace } from '../../src/local/simulate/trace.ts';
import { runCli } from './run-cli.ts';

/**
 * Every example in dags/ runs end to end as the README documents it: with its sample conf (and
 * emulator seed, when its first task acts on a job that already runs), on both engines, against
 * the built-in emulators.
 */
const examples = readdirSync('dags')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -'.yaml'.length))
  .sort();
const out = mkdtempSync(join(tmpdir(), 'airless-examples-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function argsOf(name: string): string[] {
  const args = [`dags/${name}.yaml`];
  if (existsSync(`dags/${name}.conf.json`)) args.push('--conf', `dags/${name}.conf.json`);
  if (existsSync(`dags/${name}.seed.json`)) args.push('--seed', `dags/${name}.seed.json`);
  return args;
}

describe('the examples in dags/', () => {
  it('are three, and each with a required param ships a sample conf that fits it', () => {
    expect(examples).toEqual(['flink_app_lifecycle', 'flink_wordcount', 'movielens_genie']);
    for (const name of examples) {
      const text = readFileSync(`dags/${name}.yaml`, 'utf8');
      const plan = buildIr(loadDag(text, name).dag!, text);
      const conf = existsSync(`dags/${name}.conf.json`)
        ? (JSON.parse(readFileSync(`dags/${name}.conf.json`, 'utf8')) as Record<string, unknown>)
        : {};
      expect(resolveRunParams(plan.params, conf), name).toMatchObject({ ok: true });
    }
  });

  for (const name of examples) {
    it.each(['aws', 'azure'])(
      `${name} runs to success on engine %s, output within 100 columns`,
      async (engine) => {
        const trace = join(out, `${name}-${engine}.json`);
        const r = await runCli('run', ...argsOf(name), '--engine', engine, '--trace', trace);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout.split('\n').filter((l) => l.length > 100)).toEqual([]);
        const t = JSON.parse(readFileSync(trace, 'utf8')) as RunTrace;
        expect(t.time_base).toBe('emulated');
        for (const [id, task] of Object.entries(t.tasks)) {
          expect(task, id).toMatchObject({ state: 'success', try_number: 1 });
          expect(task.job_id, id).toMatch(/\S/);
          expect(r.stdout).toContain(task.job_id!);
          expect(task.start_s!, id).toBeLessThanOrEqual(task.end_s!);
          // A task starts when its job was submitted: the same second as its submit line.
          const submitted = new RegExp(`^\\[ *([\\d.]+) s\\] ${id} try 1: submitted `, 'm').exec(r.stdout);
          expect(Number(submitted?.[1]), id).toBe(task.start_s);
        }
      },
    );
  }
});
