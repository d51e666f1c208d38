import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPERATOR_OUTPUTS } from '../../src/dag/operators/outputs.ts';
import { TaskSchema } from '../../src/dag/schema.ts';
import { runCli } from './run-cli.ts';

/** docs/operators.md is generated from the schema (`airless docs`) and checked for drift, here and in CI. */
describe('airless docs', () => {
  it('docs/operators.md is what the schema gives today (run `airless docs` after a schema change)', async () => {
    const r = await runCli('docs', '--check');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('names every operator, every field of it, its outputs and where jar_path and jar_id come from', () => {
    const text = readFileSync('docs/operators.md', 'utf8');
    for (const option of TaskSchema.options) {
      const name = String(option.shape.operator.value);
      expect(text).toContain(`## \`${name}\``);
      for (const field of Object.keys(option.shape).filter((f) => f !== 'operator'))
        expect(text, `${name}.${field}`).toContain(`| \`${field}\` |`);
      for (const output of OPERATOR_OUTPUTS[name as keyof typeof OPERATOR_OUTPUTS])
        expect(text).toContain(`\`${output}\``);
    }
    expect(text).toMatch(/\| `endpoint` \| string \| {2}\| {2}\| yes \|/);
    expect(text).toMatch(/### `genie_basic`[^#]*\| `host` \| string \| {2}\| Base URL[^|]*never a template/);
    expect(text).toMatch(/`jar_path` is a file the task handler reads at submit time/);
    expect(text).toMatch(/jars\/upload/);
  });

  it('--check fails on a drifted file and names the command that fixes it', async () => {
    const file = join(tmpdir(), 'operators.md');
    writeFileSync(file, 'old\n');
    const r = await runCli('docs', '--check', '--out', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`run: airless docs --out ${file}`);
    expect((await runCli('docs', '--out', file)).code).toBe(0);
    expect((await runCli('docs', '--check', '--out', file)).code).toBe(0);
  });
});
