import { describe, expect, it } from 'vitest';
import { layerTasks } from '../../src/ui/app/layers.ts';

describe('graph layers', () => {
  it('orders tasks topologically and puts each at its longest distance from a root', () => {
    const { order, depth, layers } = layerTasks([
      { task_id: 'load', downstream_task_ids: [] },
      { task_id: 'b', downstream_task_ids: ['load'] },
      { task_id: 'a', downstream_task_ids: ['b', 'load'] },
      { task_id: 'extract', downstream_task_ids: ['a', 'b'] },
    ]);
    expect(order).toEqual(['extract', 'a', 'b', 'load']);
    expect(Object.fromEntries(depth)).toEqual({ extract: 0, a: 1, b: 2, load: 3 });
    expect(layers).toEqual([['extract'], ['a'], ['b'], ['load']]);
  });

  it('handles a wide DAG in linear time', () => {
    const n = 20_000;
    const tasks = Array.from({ length: n }, (_, i) => ({
      task_id: `t${i}`,
      downstream_task_ids: i + 100 < n ? [`t${i + 100}`] : [],
    }));
    const { layers } = layerTasks(tasks);
    expect(layers).toHaveLength(200);
    expect(layers[0]).toHaveLength(100);
  });
});
