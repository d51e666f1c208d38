import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { generateDag } from '../../bench/generate-dag.ts';
import { buildIr } from '../../src/compiler/build-ir.ts';
import type { PlanIR } from '../../src/compiler/ir.ts';
import { stableStringify } from '../../src/compiler/serialize.ts';
import { loadDag } from '../../src/dag/validate.ts';

function compile(doc: Record<string, unknown>): { ir: PlanIR; text: string } {
  const text = stringify(doc);
  const { dag, diagnostics } = loadDag(text, 'generated.yaml');
  expect(diagnostics).toEqual([]);
  return { ir: buildIr(dag!, text), text };
}

/** Every task reachable from `from` along upstream -> downstream edges. */
function reachable(edges: Array<[string, string]>, from: string): Set<string> {
  const seen = new Set<string>();
  const todo = [from];
  while (todo.length > 0) {
    const v = todo.pop()!;
    for (const [a, b] of edges) {
      if (a !== v || seen.has(b)) continue;
      seen.add(b);
      todo.push(b);
    }
  }
  return seen;
}

const dags = fc.record({
  tasks: fc.integer({ min: 1, max: 30 }),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  width: fc.integer({ min: 1, max: 8 }),
});

describe('buildIr on random layered DAGs', () => {
  it('gives graph facts consistent with the declared dependencies', () => {
    fc.assert(
      fc.property(dags, (options) => {
        const { ir } = compile(generateDag(options));
        const edges = ir.tasks.flatMap((t) => t.upstream.map((u): [string, string] => [u, t.task_id]));
        const position = new Map(ir.graph.topological_order.map((id, i) => [id, i]));
        expect(ir.tasks.map((t) => t.task_id)).toEqual(ir.graph.topological_order);
        for (const [a, b] of edges) expect(position.get(a)!).toBeLessThan(position.get(b)!);
        for (const t of ir.tasks) {
          for (const d of t.downstream)
            expect(ir.tasks.find((x) => x.task_id === d)!.upstream).toContain(t.task_id);
        }
        // The reduction keeps a subset of the edges and exactly the same reachability.
        const key = (e: [string, string]): string => e.join('>');
        const all = new Set(edges.map(key));
        for (const e of ir.graph.reduced_edges) expect(all.has(key(e))).toBe(true);
        for (const id of ir.graph.topological_order) {
          expect(reachable(ir.graph.reduced_edges, id)).toEqual(reachable(edges, id));
        }
        // The critical path is a chain of edges whose durations add up, and no task alone is longer.
        const { tasks: path, seconds } = ir.graph.critical_path;
        const duration = new Map(ir.tasks.map((t) => [t.task_id, t.expected_duration_s]));
        path.slice(1).forEach((id, i) => expect(all.has(`${path[i]}>${id}`)).toBe(true));
        expect(seconds).toBe(path.reduce((sum, id) => sum + duration.get(id)!, 0));
        expect(seconds).toBeGreaterThanOrEqual(Math.max(...duration.values()));
        expect(ir.graph.roots).toEqual(
          ir.tasks
            .filter((t) => t.upstream.length === 0)
            .map((t) => t.task_id)
            .sort(),
        );
        expect(ir.graph.leaves).toEqual(
          ir.tasks
            .filter((t) => t.downstream.length === 0)
            .map((t) => t.task_id)
            .sort(),
        );
      }),
      { numRuns: 25 },
    );
  });

  it('is deterministic and independent of the order tasks are written in', () => {
    fc.assert(
      fc.property(dags, (options) => {
        const doc = generateDag(options);
        const first = compile(doc);
        expect(stableStringify(compile(doc).ir)).toBe(stableStringify(first.ir));
        const tasks = doc.tasks as Record<string, unknown>;
        const reversed = { ...doc, tasks: Object.fromEntries(Object.entries(tasks).reverse()) };
        const other = compile(reversed);
        expect(stableStringify({ ...other.ir, source_sha256: '' })).toBe(
          stableStringify({ ...first.ir, source_sha256: '' }),
        );
      }),
      { numRuns: 15 },
    );
  });
});
