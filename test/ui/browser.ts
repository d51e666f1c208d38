import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, headless, for the UI tests (.ci/run installs it). Without the background
 * networking flags it keeps calling out to Google's services, which a closed network refuses.
 * Playwright gives every launch a fresh profile directory of its own.
 */
export const CHROMIUM = process.env.AIRLESS_CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Builds the UI from src/ui into `out` with scripts/build-ui.js (what `npm ci` does into dist/ui). */
export function buildUiInto(out: string): void {
  const result = spawnSync(
    process.execPath,
    [join(import.meta.dirname, '..', '..', 'scripts', 'build-ui.js'), out],
    {
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) throw new Error(`build-ui failed: ${result.stderr}`);
}
