import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '../../src/local/emulators/index.ts';
import {
  api,
  emulatorEnv,
  makeDirs,
  spawnStandalone,
  type StandaloneDirs,
  type StandaloneProcess,
  stop,
  upload,
} from '../local/standalone/standalone-host.ts';
import { resolveRunParams } from '../../src/dag/params.ts';
import { planOf } from './backend-double.ts';
import { buildUiInto, launchChromium } from './browser.ts';
import { SHOTS } from './session.ts';

/**
 * The web UI in headless Chromium against `airless standalone` as users run it (a child process
 * serving the UI from dist/ui and the REST API v2 on one port), its runs executing in the local Step
 * Functions service with the real handlers against emulators held by this test process. A trigger
 * from the form runs to success in the grid; a param error shows at its field; a Genie job made to
 * fail once (the emulators' `job-fails` fault) is cleared from its task instance and runs again.
 */
const dag = (genieUrl: string) => `
dag_id: ui_e2e
schedule: null
params:
  rows: { type: integer, minimum: 1, maximum: 1000, default: 10, description: how many rows to load }
  mode: { type: string, enum: [fast, slow], default: fast, description: the loader's speed }
default_args: { execution_timeout: 10m, poke_interval: 1s }
connections:
  genie: { type: none }
tasks:
  prepare: { operator: empty }
  load:
    operator: genie
    connection: genie
    endpoint: ${genieUrl}
    cluster_tags: ['emr.cluster.role:batch']
    command_tags: ['type:spark-submit']
    command_arguments: 'load.py {{ params.rows }} {{ params.mode }}'
    job_name: 'load-{{ run_id }}'
    depends_on: [prepare]
  report:
    operator: genie
    connection: genie
    endpoint: ${genieUrl}
    cluster_tags: ['emr.cluster.role:batch']
    command_tags: ['type:spark-submit']
    command_arguments: report.py
    job_name: 'report-{{ run_id }}'
    depends_on: [load]
`;

let emu: RunningEmulators;
let dirs: StandaloneDirs & { remove(): Promise<void> };
let standalone: StandaloneProcess;
let browser: Browser;
let page: Page;

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const runBar = (runId: string) => page.locator(`button.run-bar[data-run="${runId}"]`);
const cell = (runId: string, task: string) => page.locator(`.cell[data-run="${runId}"][data-task="${task}"]`);
/** Genie jobs submitted whose name starts with `prefix` (a rendered job name is sanitised and hashed: load-ui-ok-<hash>). */
const submissions = async (prefix: string): Promise<number> => {
  const stats = (await (await fetch(`${emu.url}/_admin/stats`)).json()) as {
    submissions: Record<string, number>;
  };
  return Object.entries(stats.submissions)
    .filter(([name]) => name.startsWith(prefix))
    .reduce((n, [, count]) => n + count, 0);
};

async function fillTrigger(values: Record<string, string>): Promise<void> {
  await page.goto('about:blank'); // a fresh form, not the one left on the page
  await page.goto(`${standalone.url}/ui/#/dags/ui_e2e/trigger`);
  await page.locator('form.trigger').waitFor();
  for (const [name, value] of Object.entries(values)) {
    const input = page.locator(`[name="${name}"]`);
    if ((await input.evaluate((el) => el.tagName)) === 'SELECT') await input.selectOption({ label: value });
    else await input.fill(value);
  }
  await page.locator('form.trigger button[type=submit]').click();
}

beforeAll(async () => {
  // What `npm ci` builds, from the sources under test: the standalone serves the package's dist/ui.
  buildUiInto(join(import.meta.dirname, '..', '..', 'dist', 'ui'));
  emu = await startEmulators({
    timeScale: 1,
    defaultJobRunSeconds: 1,
    genie: { acceptSeconds: 0, initSeconds: 0 },
  });
  dirs = await makeDirs();
  standalone = await spawnStandalone(dirs, emulatorEnv(emu));
  await upload(standalone, dirs.dags, 'ui_e2e.yaml', dag(emu.genieUrl));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(15_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (standalone) await stop(standalone);
  await dirs?.remove();
  await emu?.close();
});

describe('web UI on airless standalone', () => {
  it('lists the DAG, triggers it with conf from the form and watches the run succeed in the grid', async () => {
    await page.goto(`${standalone.url}/`);
    await page.locator('tr[data-dag="ui_e2e"]').waitFor();
    await shot('standalone-dags');
    await fillTrigger({ rows: '7', mode: 'slow', dag_run_id: 'ui_ok' });
    await page.waitForURL(/#\/dags\/ui_e2e\/grid\/ui_ok$/);
    await expect
      .poll(() => runBar('ui_ok').getAttribute('class'), { timeout: 60_000 })
      .toContain('s-success');
    for (const task of ['prepare', 'load', 'report'])
      expect(await cell('ui_ok', task).getAttribute('class')).toContain('s-success');
    const run = await api(standalone.url, 'GET', '/api/v2/dags/ui_e2e/dagRuns/ui_ok');
    expect(run.body).toMatchObject({ state: 'success', conf: { rows: 7, mode: 'slow' } });
    expect(await submissions('load-ui-ok-')).toBe(1);
    await shot('standalone-grid');
  }, 90_000);

  it("shows the API's param error at its field", async () => {
    await fillTrigger({ rows: '0' });
    const error = page.locator('[data-param="rows"] .field-error');
    await error.waitFor();
    const expected = resolveRunParams(planOf(dag(emu.genieUrl)).params, { rows: 0 });
    expect(expected.ok ? [] : expected.errors).toEqual([{ field: 'rows', message: 'must be >= 1' }]);
    expect(await error.textContent()).toBe('must be >= 1');
    expect(page.url()).toMatch(/\/trigger$/);
    await shot('standalone-trigger-error');
  });

  it('clears a failed task with its downstream and watches it run again', async () => {
    const armed = await fetch(`${emu.url}/_admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'job-fails',
        service: 'genie',
        jobName: 'load-ui-fail-*',
        times: 1,
        afterSeconds: 0,
      }),
    });
    expect(armed.ok).toBe(true);
    await fillTrigger({ dag_run_id: 'ui_fail' });
    await page.waitForURL(/ui_fail$/);
    await expect
      .poll(() => runBar('ui_fail').getAttribute('class'), { timeout: 60_000 })
      .toContain('s-failed');
    expect(await cell('ui_fail', 'load').getAttribute('class')).toContain('s-failed');
    expect(await cell('ui_fail', 'report').getAttribute('class')).toContain('s-upstream_failed');
    await cell('ui_fail', 'load').click();
    const panel = page.locator('.ti-panel');
    await panel.locator('tr[data-try="1"]').waitFor();
    expect(await panel.locator('tr[data-try="1"] .badge').textContent()).toBe('failed');
    await shot('standalone-task-instance');
    await panel.locator('button[name="clear-task"]').click();
    await expect
      .poll(() => runBar('ui_fail').getAttribute('class'), { timeout: 60_000 })
      .toContain('s-success');
    expect(await cell('ui_fail', 'report').getAttribute('class')).toContain('s-success');
    await panel.locator('tr[data-try="2"]').waitFor();
    expect(await panel.locator('tr[data-try="2"] .badge').textContent()).toBe('success');
    expect(await submissions('load-ui-fail-')).toBe(2);
    await shot('standalone-grid-cleared');
  }, 120_000);
});
