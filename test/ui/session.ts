import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { BackendDouble } from './backend-double.ts';
import { buildUiInto, launchChromium } from './browser.ts';
import { startUiHost, type UiHost } from './host.ts';

/** Where the browser tests save each page's screenshot (gitignored). */
export const SHOTS = join(import.meta.dirname, '..', '..', 'test-results', 'ui');

export interface UiSession {
  backend: BackendDouble;
  host: UiHost;
  browser: Browser;
  page: Page;
  /** Saves the page's screenshot as test-results/ui/<name>.png. */
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The UI built from src/ui into a temporary directory, served with the router by the test host on a
 * TEST DOUBLE of the API port (backend-double.ts), and one headless Chromium page on it. Confirm
 * dialogs are accepted.
 */
export async function startUiSession(setup: (backend: BackendDouble) => void): Promise<UiSession> {
  mkdirSync(SHOTS, { recursive: true });
  const uiDir = join(mkdtempSync(join(tmpdir(), 'airless-ui-')), 'ui');
  buildUiInto(uiDir);
  const backend = new BackendDouble({ taskMs: 250 });
  setup(backend);
  const host = await startUiHost(backend, uiDir);
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(10_000);
  page.on('dialog', (dialog) => void dialog.accept());
  return {
    backend,
    host,
    browser,
    page,
    shot: async (name) => {
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    },
    close: async () => {
      await browser.close();
      await host.close();
      backend.close();
    },
  };
}

/** Opens the trigger form of `dag` and fills its inputs by name (a select by its option's label). */
export async function fillTriggerForm(
  s: UiSession,
  dag: string,
  values: Record<string, string>,
): Promise<void> {
  await s.page.goto(`${s.host.url}/ui/#/dags/${dag}/trigger`);
  await s.page.locator('form.trigger').waitFor();
  for (const [name, value] of Object.entries(values)) {
    const input = s.page.locator(`[name="${name}"]`);
    if ((await input.evaluate((el) => el.tagName)) === 'SELECT') await input.selectOption({ label: value });
    else await input.fill(value);
  }
}

export const runBar = (s: UiSession, runId: string) => s.page.locator(`button.run-bar[data-run="${runId}"]`);
export const gridCell = (s: UiSession, runId: string, task: string) =>
  s.page.locator(`.cell[data-run="${runId}"][data-task="${task}"]`);
