// vitest globalSetup: every test file (and every process it starts) gets one private temporary
// directory through TMPDIR, removed when the run ends, so a test run leaves nothing in /tmp.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'airless-test-run-'));
  process.env.TMPDIR = dir;
  process.env.AIRLESS_TEST_TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
