import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HdInsightJobsClient, type ClusterRef } from '../../src/clients/hdinsight-jobs.ts';
import { authorizerFor, clearIdentityCache } from '../../src/clients/identity.ts';
import { readRuntimeConfig } from '../../src/clients/runtime-config.ts';
import { startEmulators, type RunningEmulators } from '../../src/local/emulators/index.ts';
import { failure } from '../handlers/fixtures.ts';

let emu: RunningEmulators;
let client: (apiVersion?: string) => HdInsightJobsClient;
const cluster: ClusterRef = { subscription: 'sub-1', resource_group: 'rg', pool: 'pool', name: 'flink1' };

beforeAll(async () => {
  emu = await startEmulators({ hdinsight: { pageSize: 2 }, jobs: [{ jobName: '*', runSeconds: null }] });
  clearIdentityCache();
  const runtime = readRuntimeConfig({ AIRLESS_AUTHORITY_HOST: emu.authorityHost, AIRLESS_CA_PEM: emu.caPem });
  const auth = authorizerFor(
    {
      name: 'c',
      type: 'azure_client_credentials',
      fields: { tenant_id: emu.tenantId, client_id: emu.clientId, client_secret: { secret: 's' } },
    },
    { get: async () => emu.clientSecret },
    runtime,
    runtime.armScope,
  );
  client = (apiVersion) =>
    new HdInsightJobsClient({ service: 'ARM', baseUrl: emu.armUrl, auth, timeoutMs: 2000 }, apiVersion);
});
afterAll(() => emu.close());

const NEW = {
  action: 'NEW' as const,
  jobJarDirectory: 'abfs://j@a.dfs.core.windows.net/jars',
  jarName: 'a.jar',
  entryClass: 'A',
};

describe('HDInsight on AKS jobs client against the ARM emulator', () => {
  it('runJob answers 202 with a location; the operation is polled to its result', async () => {
    emu.faults.add({ kind: 'action-stuck', service: 'hdinsight', jobName: 'lro-stuck' });
    const stuck = await client().runJob(cluster, { ...NEW, jobName: 'lro-stuck' });
    expect(stuck.location).toMatch(/\/operationresults\//);
    expect(await client().operation(stuck.location!)).toMatchObject({
      done: false,
      retryAfterSeconds: expect.any(Number),
    });
    const accepted = await client().runJob(cluster, { ...NEW, jobName: 'lro-ok' });
    emu.clock.advance(60);
    const done = await client().operation(accepted.location!);
    expect(done).toMatchObject({
      done: true,
      job: { properties: { jobName: 'lro-ok', actionResult: 'SUCCESS', status: 'RUNNING' } },
    });
  });

  it('lists every job across nextLink pages and finds one with $filter', async () => {
    for (const name of ['page-a', 'page-b', 'page-c'])
      await client().runJob(cluster, { ...NEW, jobName: name });
    const all = await client().listJobs(cluster);
    expect(all.length).toBeGreaterThan(2); // more than one page of 2
    expect(all.map((j) => j.properties.jobName)).toEqual(
      expect.arrayContaining(['page-a', 'page-b', 'page-c']),
    );
    expect((await client().findJob(cluster, 'page-b'))?.properties.jobName).toBe('page-b');
    expect(await client().findJob(cluster, 'nope')).toBeUndefined();
  });

  it('the api-version is configurable; an action the version lacks is BadInput, a second NEW Conflict', async () => {
    const old = client('2023-06-01-preview');
    const e = await failure(old.runJob(cluster, { jobName: 'page-a', action: 'LAST_STATE_UPDATE' }));
    expect([e.name, e.message]).toEqual([
      'BadInput',
      expect.stringContaining('not available in api-version 2023-06-01-preview'),
    ]);
    expect((await failure(client().runJob(cluster, { ...NEW, jobName: 'page-a' }))).name).toBe('Conflict');
    expect((await failure(client('2099-01-01').listJobs(cluster))).name).toBe('BadInput');
  });

  it('refuses cluster names that would leave the cluster path', () => {
    expect(() => client().clusterPath({ ...cluster, pool: 'a/b' })).toThrow(/not a valid ARM resource name/);
    expect(() => client().clusterPath({ ...cluster, name: '..' })).toThrow(/not a valid ARM resource name/);
  });
});
