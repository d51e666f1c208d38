import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRuntimeConfig } from '../../src/clients/runtime-config.ts';
import type { TaskInvocation } from '../../src/handlers/contract.ts';
import {
  CLUSTER,
  HDINSIGHT_CONNECTION,
  KEY_VAULT_SECRETS,
  invocation,
  runTask,
  startHarness,
  type Harness,
} from './fixtures.ts';

/**
 * The hard case of idempotent submission: the service accepts the submit but the answer never
 * arrives. A loopback proxy between the handler and the emulators forwards each submitting POST,
 * lets the service act on it, then cuts the connection. The handler's retry must find the job
 * it already started: the emulator counts exactly one submission.
 */
let h: Harness;
let proxy: Server;
let proxyUrl: string;
let cutNext = false;
const cut: string[] = [];
const SUBMITS = [/\/runJob$/i, /\/jars\/[^/]+\/run$/, /\/genie\/api\/v3\/jobs$/];

beforeAll(async () => {
  h = await startHarness({
    jobs: [
      { jobName: 'stream-*', runSeconds: null },
      { jobName: '*', runSeconds: 5 },
    ],
  });
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const path = req.url ?? '/';
      const answer = await fetch(`${h.emu.url}${path}`, {
        method: req.method,
        headers: Object.fromEntries(
          Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length'),
        ) as Record<string, string>,
        body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
      });
      const body = Buffer.from(await answer.arrayBuffer());
      if (
        cutNext &&
        req.method === 'POST' &&
        SUBMITS.some((re) => re.test(new URL(path, 'http://x').pathname))
      ) {
        cutNext = false;
        cut.push(path);
        req.socket.destroy(); // the service acted; its answer is lost
        return;
      }
      const headers = Object.fromEntries(answer.headers.entries());
      if (headers.location) headers.location = headers.location.replace(h.emu.url, proxyUrl);
      delete headers['content-length'];
      delete headers['content-encoding'];
      res.writeHead(answer.status, headers);
      res.end(body);
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  h.deps.runtime = readRuntimeConfig({
    AIRLESS_ARM_ENDPOINT: proxyUrl,
    AIRLESS_AUTHORITY_HOST: h.emu.authorityHost,
    AIRLESS_KEYVAULT_URL: h.emu.keyVaultUrl,
    AIRLESS_CA_PEM: h.emu.caPem,
    AIRLESS_RETRY_AFTER_CAP_S: '2',
  });
});
afterAll(async () => {
  await new Promise<void>((r) => proxy.close(() => r()));
  await h.close();
});

const jar = join(mkdtempSync(join(tmpdir(), 'airless-jar-')), 'job.jar');
writeFileSync(jar, 'PK');

const cases: Array<[string, () => TaskInvocation, string]> = [
  [
    'flink.hdinsight NEW',
    () =>
      invocation({
        operator: 'flink.hdinsight',
        connection: HDINSIGHT_CONNECTION,
        secrets: KEY_VAULT_SECRETS,
        config: {
          action: 'NEW',
          cluster: CLUSTER,
          job_name: 'lost-{{ run_id }}',
          jar_directory: 'abfs://j@a.dfs.core.windows.net/jars',
          jar_name: 'a.jar',
          entry_class: 'A',
        },
      }),
    'runJob',
  ],
  [
    'flink.rest NEW',
    () =>
      invocation({
        operator: 'flink.rest',
        config: {
          endpoint: `${proxyUrl}/flink`,
          action: 'NEW',
          jar_path: jar,
          entry_class: 'A',
          args: '--job-name lost-flink',
        },
      }),
    '/run',
  ],
  [
    'genie',
    () =>
      invocation({
        operator: 'genie',
        config: {
          endpoint: `${proxyUrl}/genie`,
          cluster_tags: ['type:yarn'],
          command_tags: ['type:spark-submit'],
          job_name: 'lost-genie-{{ run_id }}',
        },
      }),
    '/api/v3/jobs',
  ],
];

describe('a submit whose answer is lost after the service acted', () => {
  it.each(cases)('%s: the retry finds the job; one submission', async (_label, make, path) => {
    cutNext = true;
    const before = cut.length;
    const { job, output } = await runTask(h, make());
    expect(cut.length).toBe(before + 1);
    expect(cut.at(-1)).toContain(path);
    expect(output.status).toMatch(/FINISHED|SUCCEEDED/);
    expect(job.handle.found).toBe('existing');
    expect(h.emu.stats.duplicates()).toEqual({});
  });

  it('flink.hdinsight SAVEPOINT on a running job: taken once, not twice', async () => {
    const hdi = (
      config: Record<string, unknown>,
      waitFor: 'RUNNING' | 'FINISHED',
      run?: TaskInvocation['run'],
    ) =>
      invocation(
        {
          operator: 'flink.hdinsight',
          connection: HDINSIGHT_CONNECTION,
          secrets: KEY_VAULT_SECRETS,
          config,
          wait_for: waitFor,
        },
        run ? { run } : {},
      );
    const started = hdi(
      {
        action: 'NEW',
        cluster: CLUSTER,
        job_name: 'stream-lost-{{ run_id }}',
        jar_directory: 'abfs://j@a.dfs.core.windows.net/jars',
        jar_name: 'a.jar',
        entry_class: 'A',
      },
      'RUNNING',
    );
    const { job } = await runTask(h, started);
    cutNext = true;
    const { job: savepoint, output } = await runTask(
      h,
      hdi({ action: 'SAVEPOINT', cluster: CLUSTER, job_name: job.job_name }, 'FINISHED', started.run),
    );
    expect(savepoint.handle.found).toBe('existing');
    expect(output.last_savepoint).toMatch(/savepoint-/);
    const clusterPath =
      '/subscriptions/0b1e7c6a-0000-4000-8000-000000000001/resourceGroups/rg1/providers/Microsoft.HDInsight/clusterpools/pool1/clusters/flink1';
    expect(h.emu.state.hdinsight.get(clusterPath, job.job_name)?.savepoints).toHaveLength(1);
  });
});
