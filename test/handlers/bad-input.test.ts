import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskInvocation } from '../../src/handlers/contract.ts';
import { handleTask } from '../../src/handlers/task.ts';
import {
  CLUSTER,
  HDINSIGHT_CONNECTION,
  KEY_VAULT_SECRETS,
  failure,
  invocation,
  startHarness,
  type Harness,
} from './fixtures.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const requests = () => Object.values(h.emu.stats.requests).reduce((a, b) => a + (b ?? 0), 0);

const hdi = (config: Record<string, unknown>) =>
  invocation({
    operator: 'flink.hdinsight',
    config,
    connection: HDINSIGHT_CONNECTION,
    secrets: KEY_VAULT_SECRETS,
  });
const flink = (config: Record<string, unknown>) =>
  invocation({ operator: 'flink.rest', config: { endpoint: '{{ conf.flink }}', ...config } }, {});
const genie = (config: Record<string, unknown>) =>
  invocation({
    operator: 'genie',
    config: { endpoint: 'http://127.0.0.1:1/genie', command_tags: ['type:spark-submit'], ...config },
  });

const NEW = {
  action: 'NEW',
  cluster: CLUSTER,
  job_name: 'wc-{{ run_id }}',
  jar_directory: 'abfs://j@a.dfs.core.windows.net/jars',
  jar_name: 'wc.jar',
  entry_class: 'org.example.WordCount',
};
const without = (o: Record<string, unknown>, key: string) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
const valid = hdi(NEW);
const job = {
  operator: 'flink.hdinsight' as const,
  job_name: 'x',
  job_id: null,
  handle: {},
  submitted_at: '2026-01-01T00:00:00Z',
};

const cases: Array<[string, unknown, RegExp]> = [
  ['a payload that is not an object', 'submit', /invalid task invocation/],
  ['a missing op', { ...valid, op: undefined }, /op: /],
  ['an unknown op', { ...valid, op: 'delete' }, /op: /],
  ['try_number as a string', { ...valid, try_number: '1' }, /try_number/],
  ['try_number 0', { ...valid, try_number: 0 }, /try_number/],
  ['a missing run', { ...valid, run: undefined }, /run: /],
  ['an unknown operator', { ...valid, task: { ...valid.task, operator: 'bash' } }, /task.operator/],
  [
    'a secret value inline instead of a secret name',
    {
      ...valid,
      task: {
        ...valid.task,
        connection: { ...HDINSIGHT_CONNECTION, fields: { client_secret: { value: 'x' } } },
      },
    },
    /connection/,
  ],
  ['poll without the job', { ...valid, op: 'poll' }, /poll needs the job/],
  [
    'a job of another operator',
    { ...valid, op: 'poll', job: { ...job, operator: 'genie' } },
    /is a genie job/,
  ],
  [
    'a poll of an empty task',
    { ...invocation({ operator: 'empty', config: {} }), op: 'poll' },
    /no job to poll/,
  ],
  ['NEW without jar_name', hdi(without(NEW, 'jar_name')), /needs 'jar_name'/],
  ['a cluster field of the wrong type', hdi({ ...NEW, cluster: { ...CLUSTER, pool: 7 } }), /cluster.pool/],
  ['a missing cluster', hdi(without(NEW, 'cluster')), /cluster/],
  [
    'a cluster name walking up the ARM path',
    hdi({ ...NEW, cluster: { ...CLUSTER, name: '..' } }),
    /not a valid ARM resource name/,
  ],
  [
    'a cluster name from conf holding a path',
    {
      ...hdi({ ...NEW, cluster: { ...CLUSTER, name: '{{ conf.c }}' } }),
      run: { ...valid.run, conf: { c: 'x/../../other' } },
    },
    /not a valid ARM resource name/,
  ],
  ['an unknown action', hdi({ ...NEW, action: 'EXPLODE' }), /action/],
  ['a bad api_version', hdi({ ...NEW, api_version: 'latest' }), /api-version/],
  ['a template with code', hdi({ ...NEW, job_name: '{{ 7*7 }}' }), /only a dotted path/],
  [
    'a template reaching for the prototype',
    hdi({ ...NEW, job_name: '{{ params.constructor }}' }),
    /has no value/,
  ],
  [
    'a template through __proto__',
    hdi({ ...NEW, job_name: '{{ conf.__proto__.polluted }}' }),
    /has no value/,
  ],
  ['an unclosed template', hdi({ ...NEW, job_name: 'wc-{{ run_id' }), /unclosed/],
  [
    'an upstream output that is not there',
    hdi({ ...NEW, job_name: '{{ tasks.up.output.job_name }}' }),
    /has no value/,
  ],
  [
    'a flink endpoint that is not http',
    {
      ...flink({ action: 'NEW', jar_id: 'a.jar' }),
      run: { ...valid.run, conf: { flink: 'file:///etc/passwd' } },
    },
    /endpoint/,
  ],
  [
    'a jar_path walking out',
    flink({ endpoint: 'http://127.0.0.1:1', action: 'NEW', jar_path: '../../etc/passwd.jar' }),
    /jar_path/,
  ],
  [
    'a jar_path that is no jar',
    flink({ endpoint: 'http://127.0.0.1:1', action: 'NEW', jar_path: '/etc/shadow' }),
    /jar_path/,
  ],
  [
    'parallelism that is no number',
    flink({ endpoint: 'http://127.0.0.1:1', action: 'NEW', jar_id: 'a.jar', parallelism: 'many' }),
    /parallelism/,
  ],
  [
    'a job_id that is no Flink id',
    flink({ endpoint: 'http://127.0.0.1:1', action: 'STOP', job_id: '../jars' }),
    /job_id/,
  ],
  [
    'STOP without a job',
    flink({ endpoint: 'http://127.0.0.1:1', action: 'STOP' }),
    /needs 'job_id or job_name'/,
  ],
  ['genie without cluster tags', genie({ cluster_tags: [] }), /cluster_tags/],
  ['genie with a zero timeout', genie({ cluster_tags: ['a'], timeout: '0s' }), /timeout/],
  [
    'genie with a javascript: endpoint',
    genie({ cluster_tags: ['a'], endpoint: 'javascript:alert(1)' }),
    /endpoint/,
  ],
];

describe('bad input to the task handler', () => {
  it.each(cases)('%s: BadInput, nothing sent', async (_what, payload, message) => {
    const before = requests();
    const submissions = { ...h.emu.stats.submissions };
    const error = await failure(handleTask(payload, h.deps));
    expect(error.name).toBe('BadInput');
    expect(error.message).toMatch(message);
    expect(requests()).toBe(before);
    expect(h.emu.stats.submissions).toEqual(submissions);
  });

  it('a hostile job name cannot inject into the $filter: it is normalised', async () => {
    const inv: TaskInvocation = hdi({ ...NEW, job_name: "a' or jobName ne 'b" });
    const { job: submitted } = (await handleTask(inv, h.deps)) as { job: { job_name: string } };
    expect(submitted.job_name).toMatch(/^a-or-jobname-ne-b-[0-9a-f]{10}$/);
    expect(h.emu.stats.submissions[submitted.job_name]).toBe(1);
  });

  it('the failed call is logged with its error name', async () => {
    h.logs.length = 0;
    await failure(handleTask(hdi(without(NEW, 'jar_name')), h.deps));
    expect(JSON.parse(h.logs.at(-1)!)).toMatchObject({
      event: 'task',
      op: 'submit',
      outcome: 'BadInput',
      task_id: 'submit_job',
    });
  });
});
