import { afterAll, beforeAll, expect, it } from 'vitest';
import { etlPlan } from './fixtures.ts';
import { fillTriggerForm, gridCell, runBar, startUiSession, type UiSession } from './session.ts';

/**
 * Clearing from the UI in headless Chromium (POST /api/v2/dags/{dag_id}/clearTaskInstances), on the
 * test host with a TEST DOUBLE of the API port (backend-double.ts): a task whose first try fails is
 * cleared with its downstream, and the grid shows it run again.
 */
let s: UiSession;

beforeAll(async () => {
  s = await startUiSession((backend) => backend.addDag(etlPlan()));
}, 60_000);

afterAll(() => s?.close());

it('clears a failed task with its downstream and watches it run again', async () => {
  const { page } = s;
  await fillTriggerForm(s, 'etl', { fail_once: '["transform_a"]', dag_run_id: 'ui_run_2' });
  await page.locator('form.trigger button[type=submit]').click();
  await page.waitForURL(/ui_run_2$/);
  await expect
    .poll(() => runBar(s, 'ui_run_2').getAttribute('class'), { timeout: 15_000 })
    .toContain('s-failed');
  expect(await gridCell(s, 'ui_run_2', 'transform_a').getAttribute('class')).toContain('s-failed');
  expect(await gridCell(s, 'ui_run_2', 'load').getAttribute('class')).toContain('s-upstream_failed');
  await gridCell(s, 'ui_run_2', 'transform_a').click();
  const panel = page.locator('.ti-panel');
  await panel.locator('tr[data-try="1"] .job-link').waitFor();
  expect(await panel.locator('pre.log').textContent()).toContain('job FAILED');
  await s.shot('task-instance');
  await panel.locator('button[name="clear-task"]').click();
  await expect
    .poll(() => runBar(s, 'ui_run_2').getAttribute('class'), { timeout: 15_000 })
    .toContain('s-success');
  expect(await gridCell(s, 'ui_run_2', 'transform_a').getAttribute('class')).toContain('s-success');
  expect(await gridCell(s, 'ui_run_2', 'load').getAttribute('class')).toContain('s-success');
  await panel.locator('tr[data-try="2"]').waitFor();
  expect(await panel.locator('tr[data-try="2"] .badge').textContent()).toBe('success');
  const tis = await s.backend.taskInstances('etl', 'ui_run_2');
  expect(tis!.find((t) => t.task_id === 'transform_a')!.try_number).toBe(2);
  expect(tis!.find((t) => t.task_id === 'extract')!.try_number).toBe(1);
  await s.shot('grid-cleared');
});

it("clears a run's failed tasks with their downstream from the run panel", async () => {
  const { page } = s;
  await fillTriggerForm(s, 'etl', { fail_once: '["transform_b"]', dag_run_id: 'ui_run_4' });
  await page.locator('form.trigger button[type=submit]').click();
  await page.waitForURL(/ui_run_4$/);
  await expect
    .poll(() => runBar(s, 'ui_run_4').getAttribute('class'), { timeout: 15_000 })
    .toContain('s-failed');
  await runBar(s, 'ui_run_4').click();
  const clear = page.locator('.run-panel button[name="clear-failed"]');
  expect(await clear.textContent()).toBe('Clear failed (2) with downstream');
  await clear.click();
  await expect
    .poll(() => runBar(s, 'ui_run_4').getAttribute('class'), { timeout: 15_000 })
    .toContain('s-success');
  const tries = Object.fromEntries(
    (await s.backend.taskInstances('etl', 'ui_run_4'))!.map((t) => [t.task_id, t.try_number]),
  );
  expect(tries).toEqual({ extract: 1, transform_a: 1, transform_b: 2, load: 1 });
  await s.shot('run-cleared');
});
