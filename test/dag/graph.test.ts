import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ancestors,
  buildGraph,
  criticalPath,
  findCycle,
  findCycles,
  leaves,
  roots,
  topologicalOrder,
  transitiveReduction,
  upstreamQuery,
} from '../../src/dag/graph.ts';

type Edge = [string, string];

/** Random DAGs: edges only from a lower to a higher node number, ids shuffled in name order. */
const dagArb = fc
  .integer({ min: 1, max: 14 })
  .chain((n) =>
    fc.tuple(
      fc.constant(Array.from({ length: n }, (_, i) => `t${String.fromCharCode(97 + ((i * 7) % 26))}${i}`)),
      fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 40 }),
    ),
  )
  .map(([ids, pairs]) => ({
    ids,
    edges: pairs.filter(([a, b]) => a < b).map(([a, b]): Edge => [ids[a]!, ids[b]!]),
  }));

function reachable(ids: string[], edges: Edge[], from: string): Set<string> {
  const seen = new Set<string>();
  const todo = edges.filter(([a]) => a === from).map(([, b]) => b);
  while (todo.length > 0) {
    const v = todo.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    for (const [a, b] of edges) if (a === v) todo.push(b);
  }
  return seen;
}

describe('graph', () => {
  it('orders topologically with ties broken by id', () => {
    const g = buildGraph(['c', 'b', 'a', 'd'], [['c', 'a']]);
    expect(topologicalOrder(g)).toEqual(['b', 'c', 'a', 'd']);
    expect(roots(g)).toEqual(['b', 'c', 'd']);
    expect(leaves(g)).toEqual(['a', 'b', 'd']);
  });

  it('finds a cycle as a path from its smallest id back to it', () => {
    const g = buildGraph(
      ['a', 'b', 'c', 'd', 'x'],
      [
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'a'],
        ['d', 'd'],
        ['x', 'a'],
      ],
    );
    expect(findCycles(g)).toEqual([
      ['a', 'b', 'c', 'a'],
      ['d', 'd'],
    ]);
    expect(findCycle(buildGraph(['a', 'b'], [['a', 'b']]))).toBeNull();
    expect(() => topologicalOrder(g)).toThrow(/cycle/);
  });

  it('survives a 20,000-task chain (no recursion)', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `t${String(i).padStart(5, '0')}`);
    const edges = ids.slice(1).map((id, i): Edge => [ids[i]!, id]);
    const g = buildGraph(ids, [...edges, [ids.at(-1)!, ids[0]!]]);
    expect(findCycle(g)).toHaveLength(20_001);
    expect(topologicalOrder(buildGraph(ids, edges))).toEqual(ids);
  });

  it('computes ancestors, reduction and critical path', () => {
    const edges: Edge[] = [
      ['a', 'b'],
      ['b', 'c'],
      ['a', 'c'],
      ['a', 'd'],
    ];
    const g = buildGraph(['a', 'b', 'c', 'd'], edges);
    expect([...ancestors(g, 'c')].sort()).toEqual(['a', 'b']);
    expect(ancestors(g, 'a').size).toBe(0);
    expect(transitiveReduction(g)).toEqual([
      ['a', 'b'],
      ['a', 'd'],
      ['b', 'c'],
    ]);
    const weights: Record<string, number> = { a: 1, b: 2, c: 3, d: 10 };
    expect(criticalPath(g, (id) => weights[id]!)).toEqual({ tasks: ['a', 'd'], seconds: 11 });
    expect(criticalPath(buildGraph([], []), () => 1)).toEqual({ tasks: [], seconds: 0 });
  });

  it('answers upstream queries on cyclic graphs too (by search)', () => {
    const isUpstream = upstreamQuery(
      buildGraph(
        ['a', 'b', 'c', 'd'],
        [
          ['a', 'b'],
          ['b', 'c'],
          ['c', 'b'],
        ],
      ),
    );
    expect(isUpstream('a', 'c')).toBe(true);
    expect(isUpstream('c', 'b')).toBe(true);
    expect(isUpstream('d', 'c')).toBe(false);
    expect(isUpstream('c', 'a')).toBe(false);
    expect(isUpstream('a', 'a')).toBe(false);
    expect(isUpstream('zz', 'a')).toBe(false);
  });

  it('agrees with brute force on random DAGs', () => {
    fc.assert(
      fc.property(dagArb, ({ ids, edges }) => {
        const g = buildGraph(ids, edges);
        expect(findCycle(g)).toBeNull();
        const order = topologicalOrder(g);
        const at = new Map(order.map((id, i) => [id, i]));
        for (const [a, b] of edges) expect(at.get(a)!).toBeLessThan(at.get(b)!);
        const reduced = transitiveReduction(g);
        expect(transitiveReduction(g, 3)).toEqual(reduced);
        for (const id of ids) expect(reachable(ids, reduced, id)).toEqual(reachable(ids, edges, id));
        for (const [a, b] of reduced) {
          const without = reduced.filter(([x, y]) => x !== a || y !== b);
          expect(reachable(ids, without, a).has(b)).toBe(false);
        }
        const isUpstream = upstreamQuery(g);
        for (const id of ids) {
          const up = ids.filter((x) => reachable(ids, edges, x).has(id));
          expect([...ancestors(g, id)].sort()).toEqual(up.sort());
          for (const other of ids) expect(isUpstream(other, id)).toBe(up.includes(other));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('reduces larger DAGs exactly, whatever the band width (multi-word rows, long and short edges)', () => {
    const largerDag = fc
      .integer({ min: 2, max: 90 })
      .chain((n) =>
        fc.tuple(
          fc.constant(Array.from({ length: n }, (_, i) => `n${String((i * 37) % 97).padStart(2, '0')}_${i}`)),
          fc.array(
            fc.oneof(
              fc.tuple(fc.nat(n - 1), fc.nat(3)).map(([a, d]) => [a, a + 1 + d] as const),
              fc.tuple(fc.nat(n - 1), fc.nat(n - 1)),
            ),
            { maxLength: 160 },
          ),
        ),
      )
      .map(([ids, pairs]) => ({
        ids,
        edges: pairs.filter(([a, b]) => a < b && b < ids.length).map(([a, b]): Edge => [ids[a]!, ids[b]!]),
      }));
    fc.assert(
      fc.property(largerDag, fc.integer({ min: 1, max: 70 }), ({ ids, edges }, band) => {
        const g = buildGraph(ids, edges);
        const reduced = transitiveReduction(g);
        expect(transitiveReduction(g, band)).toEqual(reduced);
        const unique = [...new Map(edges.map((e) => [e.join('>'), e])).values()];
        const expected = unique
          .filter(
            ([a, b]) => !unique.some(([x, y]) => x === a && y !== b && reachable(ids, unique, y).has(b)),
          )
          .sort((x, y) => (x[0] === y[0] ? (x[1] < y[1] ? -1 : 1) : x[0] < y[0] ? -1 : 1));
        expect(reduced).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('finds a cycle whenever a back edge is added', () => {
    fc.assert(
      fc.property(dagArb, ({ ids, edges }) => {
        fc.pre(edges.length > 0);
        const [a, b] = edges[0]!;
        const cycle = findCycle(buildGraph(ids, [...edges, [b, a]]));
        expect(cycle).not.toBeNull();
        expect(cycle![0]).toBe(cycle!.at(-1));
        const all = new Set([...edges, [b, a]].map(([x, y]) => `${x}>${y}`));
        for (let i = 1; i < cycle!.length; i++) expect(all.has(`${cycle![i - 1]}>${cycle![i]}`)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
