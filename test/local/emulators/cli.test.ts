import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.ts';

const airless = (args: string[]) =>
  spawn(process.execPath, ['bin/airless.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });

describe('airless emulators', () => {
  it('prints endpoints and credentials, serves them, and stops cleanly on SIGINT', async () => {
    const child = airless(['emulators', '--json', '--time-scale', '100']);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let printed = false;
    const exitedEarly = once(child, 'exit').then(() => {
      if (!printed) throw new Error(`airless emulators exited before printing: ${stderr}`);
    });
    const [line] = (await Promise.race([
      once(createInterface({ input: child.stdout }), 'line'),
      exitedEarly,
    ])) as [string];
    printed = true;
    const info = JSON.parse(line) as {
      url: string;
      genieUrl: string;
      tenantId: string;
      clientId: string;
      clientSecret: string;
      caFile: string;
    };
    const token = await fetch(`${info.url}/${info.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: info.clientId,
        client_secret: info.clientSecret,
        scope: 'https://management.azure.com/.default',
      }),
    });
    expect(token.status).toBe(200);
    expect((await fetch(`${info.genieUrl}/api/v3/jobs`)).status).toBe(200);
    expect(await readFile(info.caFile, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
  });

  it.each([
    [['--time-scale', '-3'], '--time-scale must be a positive number'],
    [['--port', '70000'], '--port must be an integer 0..65535'],
  ])('refuses %j with exit code 2', async (args, message) => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await main(['emulators', ...args])).toBe(2);
      expect(errors.mock.calls.flat().join('\n')).toContain(message);
    } finally {
      errors.mockRestore();
      process.exitCode = undefined;
    }
  });
});
