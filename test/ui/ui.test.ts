import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRunParams } from '../../src/dag/params.ts';
import { planOf } from './backend-double.ts';
import { etlPlan } from './fixtures.ts';
import { fillTriggerForm, gridCell, runBar, startUiSession, type UiSession } from './session.ts';

/**
 * The web UI end to end in headless Chromium: the built assets and the REST API v2 router served by
 * a test host over loopback, on a TEST DOUBLE of the API port (backend-double.ts) that runs tasks on
 * a timer. Each page's screenshot goes to test-results/ui/.
 */
let s: UiSession;
let page: Page;

beforeAll(async () => {
  s = await startUiSession((backend) => {
    backend.addDag(etlPlan());
    backend.addDag(planOf("dag_id: daily\nschedule: '@daily'\ntasks:\n  only: { operator: empty }\n"));
    backend.errors.push({
      id: 1,
      filename: 'dags/broken.yaml',
      timestamp: '2026-01-01T00:00:00Z',
      stack_trace: "dags/broken.yaml:4:3: error: unknown field 'retriez' (did you mean 'retries'?)",
    });
  });
  page = s.page;
}, 60_000);

afterAll(() => s?.close());

describe('web UI in Chromium', () => {
  it('lists DAGs with their schedule, version and import errors at file:line:col, and pauses one', async () => {
    await page.goto(`${s.host.url}/ui/`);
    const row = page.locator('tr[data-dag="etl"]');
    await row.waitFor();
    await expect.poll(() => row.locator('td').nth(5).textContent()).toBe('v1');
    expect(await page.locator('.import-error li').first().textContent()).toBe(
      "dags/broken.yaml:4:3: error: unknown field 'retriez' (did you mean 'retries'?)",
    );
    await s.shot('dags');
    await row.locator('input.pause-toggle').click();
    await expect.poll(async () => (await s.backend.getDag('etl'))!.is_paused).toBe(true);
    await expect.poll(() => row.locator('input.pause-toggle').isChecked()).toBe(false);
    await row.locator('input.pause-toggle').click();
    await expect.poll(async () => (await s.backend.getDag('etl'))!.is_paused).toBe(false);
  });

  it('triggers a run with conf from the params form and watches it finish in the grid', async () => {
    await fillTriggerForm(s, 'etl', { rows: '42', mode: 'slow', label: 'nightly', dag_run_id: 'ui_run_1' });
    expect(await page.locator('[data-param="rows"] .description').textContent()).toBe(
      'how many rows to load',
    );
    await s.shot('trigger');
    await page.locator('form.trigger button[type=submit]').click();
    await page.waitForURL(/#\/dags\/etl\/grid\/ui_run_1$/);
    await expect
      .poll(() => runBar(s, 'ui_run_1').getAttribute('class'), { timeout: 15_000 })
      .toContain('s-success');
    for (const task of ['extract', 'transform_a', 'transform_b', 'load'])
      expect(await gridCell(s, 'ui_run_1', task).getAttribute('class')).toContain('s-success');
    const run = await s.backend.getRun('etl', 'ui_run_1');
    expect(run!.conf).toEqual({ rows: 42, mode: 'slow', label: 'nightly', dry_run: false, fail_once: [] });
    await s.shot('grid');
  });

  it("shows the API's param error at its field", async () => {
    await fillTriggerForm(s, 'etl', { rows: '0', label: 'far-too-long' });
    await page.locator('form.trigger button[type=submit]').click();
    const rowsError = page.locator('[data-param="rows"] .field-error');
    await rowsError.waitFor();
    const expected = resolveRunParams(etlPlan().params, { rows: 0, label: 'far-too-long' });
    expect(expected.ok).toBe(false);
    const messages = expected.ok ? [] : expected.errors;
    expect(await rowsError.textContent()).toBe(messages.find((e) => e.field === 'rows')!.message);
    expect(await page.locator('[data-param="label"] .field-error').textContent()).toBe(
      messages.find((e) => e.field === 'label')!.message,
    );
    expect(await page.locator('[data-param="mode"] .field-error').count()).toBe(0);
    expect(page.url()).toMatch(/\/trigger$/);
    await s.shot('trigger-error');
    await page.locator('[name="rows"]').fill('5');
    await page.locator('[name="label"]').fill('ok');
    await page.locator('[name="dag_run_id"]').fill('not a run id!');
    await page.locator('form.trigger button[type=submit]').click();
    await page.locator('[data-field="dag_run_id"] .field-error').waitFor();
    expect(await page.locator('[data-param="rows"] .field-error').count()).toBe(0);
    expect((await s.backend.listRuns('etl')).map((r) => r.dag_run_id)).not.toContain('not a run id!');
  });

  it('draws the graph with live states and the Gantt of a run', async () => {
    await page.goto(`${s.host.url}/ui/#/dags/etl/graph/ui_run_1`);
    const node = page.locator('svg.graph g.node[data-task="load"]');
    await node.waitFor();
    expect(await node.getAttribute('data-state')).toBe('success');
    const x = async (task: string) =>
      Number((await page.locator(`g.node[data-task="${task}"]`).getAttribute('transform'))!.match(/\d+/)![0]);
    expect(await x('extract')).toBeLessThan(await x('transform_a'));
    expect(await x('transform_a')).toBe(await x('transform_b'));
    expect(await x('transform_b')).toBeLessThan(await x('load'));
    await s.shot('graph');
    await node.locator('a').click();
    await page.waitForURL(/#\/dags\/etl\/grid\/ui_run_1\/load$/);
    await page.locator('.ti-panel').getByText('load', { exact: true }).waitFor();
    await page.goto(`${s.host.url}/ui/#/dags/etl/gantt/ui_run_1`);
    await page.locator('svg.gantt g.gantt-row[data-task="load"] rect').waitFor();
    expect(await page.locator('svg.gantt rect.s-success').count()).toBe(4);
    await s.shot('gantt');
  });

  it('marks a running run failed', async () => {
    const slow = await s.backend.triggerRun({
      dag_id: 'etl',
      run_type: 'manual',
      dag_run_id: 'ui_run_3',
      conf: { task_ms: 600_000 },
    });
    expect(slow.kind).toBe('created');
    await page.goto(`${s.host.url}/ui/#/dags/etl/grid/ui_run_3`);
    await page.locator('button[name="mark-failed"]').click();
    await expect.poll(() => runBar(s, 'ui_run_3').getAttribute('class')).toContain('s-failed');
    expect((await s.backend.getRun('etl', 'ui_run_3'))!.state).toBe('failed');
    await s.shot('run-marked-failed');
  });

  it('creates a backfill from the form and shows its runs in the grid', async () => {
    await page.goto(`${s.host.url}/ui/#/dags/daily/backfill`);
    await page.locator('[name="from_date"]').fill('2026-01-01T00:00');
    await page.locator('[name="to_date"]').fill('2026-01-03T00:00');
    await page.locator('form.backfill button[type=submit]').click();
    await page.locator('.banner.ok').waitFor();
    await page.locator('table.backfills tbody tr').first().waitFor();
    await s.shot('backfill');
    await expect
      .poll(async () => (await s.backend.listRuns('daily')).filter((r) => r.run_type === 'backfill').length)
      .toBe(3);
    await page.goto(`${s.host.url}/ui/#/dags/daily`);
    await expect.poll(() => page.locator('button.run-bar').count(), { timeout: 15_000 }).toBe(3);
  });
});
