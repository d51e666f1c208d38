import { describe, expect, it } from 'vitest';
import { openLocalDurable } from '../../src/local/azure/index.ts';
import { runDagOnDurable } from '../../src/local/azure/run-dag.ts';
import { taskInstanceId } from '../../src/azure/contract.ts';
import type { TaskInput } from '../../src/azure/contract.ts';
import { resumeFrom } from '../../src/runs/resume.ts';
import type { TaskInstanceRecord } from '../../src/runs/api/backend.ts';
import { planOf } from '../compiler/aws/plan-fixture.ts';
import { runOf } from './helpers.ts';

/**
 * A re-run starts the run orchestration again under the run's own instance id, in the task hub that
 * holds the earlier run: each task run again starts under its task instance id over the ended
 * instance of its earlier tries (airless_start_tasks tells them apart by try base).
 */
describe('a re-run in the task hub of the earlier run', () => {
  it('runs the cleared tasks again under their instance ids, continuing their tries', async () => {
    const plan = planOf({ a: { dur: 5 }, b: { up: ['a'], dur: 5, retries: 1 }, c: { up: ['b'], dur: 5 } });
    const run = runOf(plan);
    const local = await openLocalDurable({ clock: 'virtual', startMs: Date.parse(run.logical_date) });
    try {
      const first = await runDagOnDurable(plan, run, { simulate: { fail: ['b'] }, local });
      expect(first.result.state).toBe('failed');
      expect(first.result.tasks.b).toMatchObject({ state: 'failed', try_number: 2 });
      const tis: TaskInstanceRecord[] = Object.entries(first.result.tasks).map(([task_id, t]) => ({
        task_id,
        state: t.state,
        try_number: t.try_number,
        start_date: null,
        end_date: null,
        tries: [],
        outputs: {},
      }));
      const resume = resumeFrom(plan, tis, new Set(['b', 'c']));
      const again = await runDagOnDurable(plan, run, { simulate: { fail: [] }, local, resume });
      expect(again.instance_id).toBe(first.instance_id);
      expect(again.result.state).toBe('success');
      expect(again.result.tasks).toMatchObject({
        a: { state: 'success', try_number: 1 },
        b: { state: 'success', try_number: 3 },
        c: { state: 'success', try_number: 1 },
      });
      const b = local.host.status(taskInstanceId(first.instance_id, 'b'));
      expect((b?.input as TaskInput).try_base).toBe(2);
      expect(b?.runtimeStatus).toBe('Completed');
    } finally {
      await local.close();
    }
  });
});
