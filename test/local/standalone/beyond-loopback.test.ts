import { describe, expect, it } from 'vitest';
import { startStandalone } from '../../../src/local/standalone/standalone.ts';

describe('airless standalone beyond this machine', () => {
  it('refuses to listen on a non-loopback address without an API token, before starting anything', async () => {
    await expect(
      startStandalone({
        dags: 'dags',
        port: 0,
        host: '0.0.0.0',
        state: '/nonexistent/never-made',
        isDagFile: () => true,
      }),
    ).rejects.toThrow(/needs an API token: set AIRLESS_API_TOKEN/);
  });
});
