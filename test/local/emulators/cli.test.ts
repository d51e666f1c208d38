import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import type { RunningEmulators } from '../../../src/local/emulators/index.ts';
import { armToken } from './arm-client.ts';

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
    expect(existsSync(info.caFile)).toBe(false); // the CA file it wrote goes with it
  });

  it('--seed starts with an application-mode job already RUNNING (dags/flink_app_lifecycle.seed.json)', async () => {
    const child = airless(['emulators', '--json', '--seed', 'dags/flink_app_lifecycle.seed.json']);
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const info = JSON.parse(line) as RunningEmulators;
    const seed = JSON.parse(await readFile('dags/flink_app_lifecycle.seed.json', 'utf8')) as {
      hdinsight_jobs: Array<{ cluster: string; job_name: string }>;
    };
    const { cluster, job_name } = seed.hdinsight_jobs[0]!;
    const url = `${info.url}${cluster}/jobs?api-version=2024-05-01-preview`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${await armToken(info)}` } });
    const jobs = (await res.json()) as { value: Array<{ properties: { jobName: string; status: string } }> };
    expect(jobs.value.map((j) => j.properties)).toEqual([
      expect.objectContaining({ jobName: job_name, status: 'RUNNING' }),
    ]);
    child.kill('SIGINT');
    await once(child, 'exit');
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
