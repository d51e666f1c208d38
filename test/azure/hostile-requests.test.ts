import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_CASES, HOSTILE_DAG, type HostileCase } from '../shared/hostile-run-requests.ts';
import { startAzureApiHost, type AzureApiHost } from './harness.ts';

// The hostile trigger requests of both clouds, asked of the Azure app's API route over 127.0.0.1
// (Azurite, the local Durable host, the real handlers and the emulators). The 'held' DAG's Genie
// job is stuck running in the emulator, so its run stays running while concurrent requests race.
let azure: AzureApiHost;

const HELD_DAG = `dag_id: held
tasks:
  a:
    operator: genie
    endpoint: https://genie.example.com
    command_tags: [type:spark-submit]
    cluster_tags: [sched:adhoc]
    command_arguments: app.jar
    poke_interval: 1s
`;

async function post(
  body: string,
  dagId = 'hostile',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${azure.url}/api/v2/dags/${dagId}/dagRuns`, { method: 'POST', body });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { status: res.status, body: { text } };
  }
}

/** The table's answers in Airflow's REST API v2 form: a field error is a 422 naming the field in `loc`. */
function airflowAnswer(c: HostileCase): { status: number; field?: string } {
  if (c.status === 400) return { status: 422, ...(c.field === undefined ? {} : { field: c.field }) };
  return { status: c.status };
}

beforeAll(async () => {
  azure = await startAzureApiHost({
    clock: 'real',
    dags: { 'hostile.yaml': HOSTILE_DAG, 'held.yaml': HELD_DAG },
  });
  azure.emulators.faults.add({ kind: 'action-stuck', service: 'genie', times: 'always' });
}, 60_000);

afterAll(async () => {
  await azure?.close();
});

describe('Azure API v2: hostile trigger requests', () => {
  it.each(HOSTILE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const want = airflowAnswer(c);
    const answer = await post(c.body);
    expect(answer.status).toBe(want.status);
    if (want.status === 200) {
      expect(answer.body).toMatchObject(c.run ?? {});
      return;
    }
    const detail = answer.body.detail;
    if (want.field === undefined) {
      expect(detail).toBeDefined();
      return;
    }
    const locs = (detail as Array<{ loc: string[] }>).map((d) => d.loc.slice(1).join('.'));
    expect(locs.some((l) => l === want.field || l.startsWith(`${want.field}.`))).toBe(true);
  });

  it('20 identical requests at once: all 200, the same run', async () => {
    const body = JSON.stringify({ dag_run_id: 'same' });
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(body, 'held')));
    expect(answers.filter((a) => a.status !== 200).map((a) => [a.status, a.body])).toEqual([]);
    expect(new Set(answers.map((a) => a.body.dag_run_id))).toEqual(new Set(['same']));
    expect(azure.host.status('held:same')?.runtimeStatus).toBe('Running');
    const runs = [...azure.host.instances.keys()].filter((id) => id.startsWith('held:') && !id.includes('|'));
    expect(runs).toEqual(['held:same']);
    expect((await post(JSON.stringify({ dag_run_id: 'same', conf: { x: 1 } }), 'held')).status).toBe(409);
    const cancelled = await fetch(`${azure.url}/api/v2/dags/held/dagRuns/same`, {
      method: 'PATCH',
      body: JSON.stringify({ state: 'failed' }),
    });
    expect(cancelled.status).toBe(200);
  });

  it('a path that is not valid percent-encoding, an unknown DAG, a traversal: 404', async () => {
    for (const path of [
      'dags/%E0%A4%A/dagRuns',
      'dags/nope/dagRuns',
      `dags/${encodeURIComponent('../live/held')}`,
    ]) {
      expect((await fetch(`${azure.url}/api/v2/${path}`)).status).toBe(404);
    }
  });
});
