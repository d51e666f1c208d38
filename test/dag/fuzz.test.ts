import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { fuzzInput, tryInput } from '../../bench/fuzz-inputs.ts';
import { runCli } from '../cli/run-cli.ts';

/** Only a hang detector: any honest case takes a small fraction of it (bench: `npm run bench -- fuzz`). */
const HANG_MS = 10_000;

describe('fuzz: malformed and extreme DAG files (fixed seed)', () => {
  it('validate and compile never throw, hang or show a stack trace', () => {
    const kinds = new Map<string, number>();
    fc.assert(
      fc.property(fuzzInput({ scale: 0.05 }), ({ kind, text }) => {
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        const outcome = tryInput(text);
        expect(outcome.problems).toEqual([]);
        expect(outcome.ms).toBeLessThan(HANG_MS);
      }),
      { numRuns: 200, seed: 20261203 },
    );
    expect([...kinds.keys()].sort()).toEqual([
      'alias bomb',
      'alias loop',
      'deep nesting',
      'huge scalar',
      'mutated example',
      'prototype key',
      'random bytes',
      'truncated example',
      'unicode',
    ]);
  }, 120_000);

  it('keeps what the fuzzer found fixed: a DAG without tasks is refused by a target, not a crash', () => {
    expect(tryInput('dag_id: a\ntasks: {}').problems).toEqual([]);
  });

  it('keeps what the fuzzer found fixed: list items with line breaks or empty compile to ASL', () => {
    const text = [
      'dag_id: lines',
      'default_args: { execution_timeout: 1h }',
      'tasks:',
      '  a: { operator: genie, endpoint: "http://x", cluster_tags: [a], command_tags: [b], command_arguments: ["x\\ny", "", "p\u2028q"] }',
    ].join('\n');
    const outcome = tryInput(text);
    expect(outcome).toMatchObject({ valid: true, problems: [] });
  });

  const dir = mkdtempSync(join(tmpdir(), 'airless-fuzz-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('through the CLI, a sample exits 0 or 1 with one line per problem', async () => {
    const samples = fc.sample(fuzzInput({ scale: 0.05 }), { numRuns: 12, seed: 7 });
    for (const [i, { text }] of samples.entries()) {
      const file = join(dir, `case${i}.yaml`);
      writeFileSync(file, text);
      for (const argv of [
        ['validate', file],
        ['compile', file, '--target', 'all', '--out', join(dir, 'out')],
      ]) {
        const result = await runCli(...argv);
        expect([0, 1]).toContain(result.code);
        expect(result.stdout + result.stderr).not.toMatch(/\n\s+at |internal error/);
      }
    }
  }, 120_000);
});
