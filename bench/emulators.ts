import { performance } from 'node:perf_hooks';
import { formatTable } from '../src/cli/table.ts';
import { startEmulators } from '../src/local/emulators/index.ts';
import { armToken } from '../test/local/emulators/arm-client.ts';

/**
 * The local emulators as `airless run` uses them: start-up (key pair, self-signed certificate,
 * listening socket) to close, and the latency of one request per service over keep-alive HTTP on
 * 127.0.0.1, median and p95 of REQUESTS sequential calls; then throughput with CONCURRENCY clients.
 */
const STARTS = 7;
const REQUESTS = 300;
const CONCURRENCY = 8;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] ?? NaN;

async function timed(call: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await call();
  return performance.now() - t0;
}

/** GET that reads the whole body and fails loudly on an error status. */
async function get(url: string, headers: Record<string, string> = {}): Promise<void> {
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  if (res.status >= 400) throw new Error(`benchmark request ${url} failed with ${res.status}`);
}

export async function run(): Promise<void> {
  const starts: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const t0 = performance.now();
    const emu = await startEmulators();
    await emu.close();
    starts.push(performance.now() - t0);
  }
  const startRow = [median(starts), Math.min(...starts), Math.max(...starts)].map((x) => x.toFixed(1));
  console.log(formatTable(['start + close, median ms', 'min ms', 'max ms'], [startRow]));

  const emu = await startEmulators({ defaultJobRunSeconds: null });
  try {
    const bearer = { authorization: `Bearer ${await armToken(emu)}` };
    const cluster =
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.HDInsight/clusterpools/p/clusters/c';
    await fetch(`${emu.url}${cluster}/runJob?api-version=2024-05-01-preview`, {
      method: 'POST',
      headers: bearer,
      body: JSON.stringify({
        properties: {
          jobType: 'FlinkJob',
          jobName: 'bench',
          action: 'NEW',
          jobJarDirectory: 'abfs://j',
          jarName: 'j.jar',
          entryClass: 'a.B',
        },
      }),
    });
    const genie = await fetch(`${emu.genieUrl}/api/v3/jobs`, {
      method: 'POST',
      body: JSON.stringify({
        name: 'bench',
        user: 'u',
        version: '1',
        clusterCriterias: [{ tags: ['emr.cluster.role:batch'] }],
        commandCriteria: ['type:spark-submit'],
      }),
    });
    const genieStatus = `${genie.headers.get('location') ?? ''}/status`;
    const filter = encodeURIComponent("jobName eq 'bench'");
    const flink = () => get(`${emu.flinkUrl}/jobs/overview`);
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['Entra token (POST)', () => armToken(emu)],
      [
        "ARM jobs $filter=jobName eq 'bench'",
        () => get(`${emu.url}${cluster}/jobs?api-version=2024-05-01-preview&$filter=${filter}`, bearer),
      ],
      ['Flink GET /jobs/overview', flink],
      ['Genie GET /jobs/{id}/status', () => get(genieStatus)],
    ];
    const rows: string[][] = [];
    for (const [name, call] of calls) {
      for (let i = 0; i < 20; i++) await timed(call);
      const samples: number[] = [];
      for (let i = 0; i < REQUESTS; i++) samples.push(await timed(call));
      rows.push([name, median(samples).toFixed(3), p95(samples).toFixed(3)]);
    }
    console.log(`\n${formatTable(['request (http, keep-alive)', 'median ms', 'p95 ms'], rows)}`);

    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = 0; i < REQUESTS; i++) await flink();
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `\n${formatTable(['throughput', 'clients', 'requests', 'req/s'], [['Flink GET /jobs/overview', String(CONCURRENCY), String(CONCURRENCY * REQUESTS), ((CONCURRENCY * REQUESTS) / seconds).toFixed(0)]])}`,
    );
  } finally {
    await emu.close();
  }
}
