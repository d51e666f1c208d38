import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';

/** bin/airless.js as a user runs it: the built CLI, never stale, and quiet on a closed pipe. */
const bin = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['bin/airless.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });

describe('bin/airless.js', () => {
  it('builds the CLI on first use, and rebuilds it when a source file is newer than the build', () => {
    // A build folder of this test's own, so no other test's CLI sees it change (inside the
    // repository: the build leaves its dependencies to node_modules).
    const env = { AIRLESS_CLI_DIST: join('.airless', `cli-dist-${process.pid}`) };
    onTestFinished(() => rmSync(env.AIRLESS_CLI_DIST, { recursive: true, force: true }));
    const marker = join(env.AIRLESS_CLI_DIST, 'built.json');
    expect(existsSync(marker)).toBe(false);
    expect(bin(['--help'], env).status).toBe(0);
    expect(statSync(join(env.AIRLESS_CLI_DIST, 'main.js')).isFile()).toBe(true);
    // A build older than every source is stale.
    utimesSync(marker, new Date(0), new Date(0));
    const r = bin(['--help'], env);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: airless');
    expect(statSync(marker).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
  });

  it('runs the sources through tsx when asked (the fallback without esbuild)', () => {
    const r = bin(['validate', 'dags'], { AIRLESS_CLI_FROM_SOURCE: '1' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('ends quietly when the reader closes the pipe (compile --report | head)', async () => {
    const child = spawn(
      process.execPath,
      ['bin/airless.js', 'compile', 'dags', '--target', 'all', '--out', join(tmpdir(), 'epipe'), '--report'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const [code] = (await once(child, 'exit')) as [number];
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });
});
