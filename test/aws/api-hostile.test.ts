import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_CASES, HOSTILE_DAG } from '../shared/hostile-run-requests.ts';
import { type AwsHost, startAwsHost } from './aws-host.ts';

/**
 * Hostile trigger requests and concurrent identical triggers, through the AWS API Lambda's handler
 * (router, AwsApiBackend) on dynalite, s3rver and the local Step Functions service. Airflow's API v2
 * answers a request that fails validation with 422 and `detail: [{loc, msg, type}]` naming the
 * field, where the old API answered 400 with `errors: [{field}]`; 413 stays 413 with a `detail`.
 */
let host: AwsHost;
beforeAll(async () => {
  host = await startAwsHost({ delays: 'instant' });
  await host.upload('hostile.yaml', HOSTILE_DAG);
}, 60_000);
afterAll(() => host.close());

type Json = Record<string, unknown>;
const post = async (body: string) => {
  const answer = await host.request('POST', '/api/v2/dags/hostile/dagRuns', body);
  return { status: answer.status, body: answer.body as Json };
};

describe('AWS API v2: hostile trigger requests', () => {
  it.each(HOSTILE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const answer = await post(c.body);
    const status = c.status === 400 ? 422 : c.status;
    expect(answer.status).toBe(status);
    if (status === 200) {
      expect(answer.body).toMatchObject(c.run!);
      return;
    }
    if (status === 413) {
      expect(typeof answer.body.detail).toBe('string');
      return;
    }
    const detail = answer.body.detail as Array<{ loc: string[]; msg: string }>;
    expect(detail.some((d) => d.loc[0] === 'body' && d.loc[1] === c.field && d.msg.length > 0)).toBe(true);
  });

  it('a body that is not JSON is refused, and an unknown or impossible dag_id is 404', async () => {
    expect((await post('{not json')).status).toBe(422);
    expect((await host.request('POST', '/api/v2/dags/nope/dagRuns', '{}')).status).toBe(404);
    expect((await host.request('POST', '/api/v2/dags/..%2Fregistry%2Fhostile/dagRuns', '{}')).status).toBe(
      404,
    );
    expect((await host.request('GET', '/api/v2/dags/hostile/dagRuns/..%2F..')).status).toBe(404);
  });

  it('20 identical requests at once: all 200, one run, one execution; another body under that id is 409', async () => {
    const body = JSON.stringify({ dag_run_id: 'same', conf: { n: 2 } });
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(body)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((a) => a.body.dag_run_id))).toEqual(new Set(['same']));
    const [entry] = (await host.backend.listDags()).filter((d) => d.dag_id === 'hostile');
    expect(entry).toBeDefined();
    const machine = host.registrations.find((r) => r.action === 'published')!;
    const arn = (machine as { version_arn: string }).version_arn.replace(/:\d+$/, '');
    const executions = await host.sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }));
    expect(executions.executions!.filter((e) => e.name === 'same')).toHaveLength(1);
    expect((await post(JSON.stringify({ dag_run_id: 'same', conf: { n: 3 } }))).status).toBe(409);
  });
});
