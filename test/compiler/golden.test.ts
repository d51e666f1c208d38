import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { buildIr } from '../../src/compiler/build-ir.ts';
import { planTarget } from '../../src/compiler/plan-target.ts';
import { loadDag } from '../../src/dag/validate.ts';

/**
 * The IR of each example DAG, byte for byte. After an intended change, regenerate with
 * `UPDATE_GOLDEN=1 npx vitest run test/compiler/golden.test.ts` and review the diff.
 */
const EXAMPLES = ['flink_wordcount', 'movielens_genie', 'flink_app_lifecycle'];

function compile(file: string, text = readFileSync(file, 'utf8')): string {
  const { dag, diagnostics } = loadDag(text, file);
  expect(diagnostics).toEqual([]);
  return planTarget.emit(buildIr(dag!, text));
}

describe.each(EXAMPLES)('golden IR of dags/%s.yaml', (id) => {
  const file = `dags/${id}.yaml`;
  const golden = `test/golden/${id}.plan.json`;

  it('equals test/golden byte for byte', () => {
    const produced = compile(file);
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, produced);
    expect(produced).toBe(readFileSync(golden, 'utf8'));
  });

  it('is what statemachines/ holds (npm run compile)', () => {
    expect(readFileSync(`statemachines/${id}.plan.json`, 'utf8')).toBe(readFileSync(golden, 'utf8'));
  });

  it('does not depend on the order of keys and tasks in the file', () => {
    const text = readFileSync(file, 'utf8');
    const doc = parseDocument(text);
    const tasks = doc.get('tasks') as { items: unknown[] };
    tasks.items.reverse();
    (doc.contents as { items: unknown[] }).items.reverse();
    const shuffled = doc.toString();
    expect(shuffled).not.toBe(text);
    const withoutHash = (json: string): unknown => ({ ...JSON.parse(json), source_sha256: null });
    expect(withoutHash(compile(file, shuffled))).toEqual(withoutHash(compile(file)));
  });
});
