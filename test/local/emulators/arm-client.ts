import type { RunningEmulators } from '../../../src/local/emulators/index.ts';

/** A bare fetch client for the emulated ARM API, for tests (no retries, no cleverness). */
export async function armToken(
  emu: RunningEmulators,
  scope = 'https://management.azure.com/.default',
): Promise<string> {
  const res = await fetch(`${emu.url}/${emu.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: emu.clientId,
      client_secret: emu.clientSecret,
      scope,
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

export const CLUSTER =
  '/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.HDInsight/clusterpools/pool-1/clusters/flink-1';

export function armClient(
  emu: RunningEmulators,
  token: string,
  apiVersion = '2024-05-01-preview',
  cluster = CLUSTER,
) {
  const auth = { authorization: `Bearer ${token}` };
  return {
    runJob: (properties: Record<string, unknown>, version = apiVersion) =>
      fetch(`${emu.url}${cluster}/runJob?api-version=${version}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ properties: { jobType: 'FlinkJob', ...properties } }),
      }),
    get: (url: string) => fetch(url, { headers: auth }),
    list: (filter?: string, version = apiVersion) =>
      fetch(
        `${emu.url}${cluster}/jobs?api-version=${version}${filter ? `&$filter=${encodeURIComponent(filter)}` : ''}`,
        { headers: auth },
      ),
  };
}

export const NEW_JOB = {
  action: 'NEW',
  jobJarDirectory: 'abfs://jars@acct.dfs.core.windows.net/jars',
  jarName: 'wordcount.jar',
  entryClass: 'org.apache.flink.examples.java.wordcount.WordCount',
  args: '--input /opt/flink/LICENSE --output /tmp/out',
  flinkConfiguration: { parallelism: '2' },
};
