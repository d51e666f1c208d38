import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDag } from '../../src/dag/validate.ts';
import type { SubmitResult, TaskInvocation } from '../../src/handlers/contract.ts';
import { handleTask } from '../../src/handlers/task.ts';
import { failure, invocation, startHarness, type Harness } from './fixtures.ts';

/** Another service on another loopback port: it records every request it gets, headers included. */
let elsewhere: Server;
let elsewhereUrl: string;
const seen: IncomingHttpHeaders[] = [];
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  process.env.AIRLESS_SECRET_GENIE_PASSWORD = 'genie-pw-123';
  elsewhere = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
  elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await h.close();
  await new Promise((resolve) => elsewhere.close(resolve));
});

const genieBasic = (host?: string): NonNullable<TaskInvocation['task']['connection']> => ({
  name: 'genie',
  type: 'genie_basic',
  fields: {
    ...(host ? { host } : {}),
    username: 'etl-user',
    password: { secret: 'genie_password' },
  },
});

/** A task whose endpoint a run's conf chooses, as a DAG file once could write it. */
const steered = (connection: TaskInvocation['task']['connection']): TaskInvocation => {
  const inv = invocation({
    operator: 'genie',
    config: {
      endpoint: '{{ conf.genie_url }}',
      cluster_tags: [['type:yarn']],
      command_tags: ['type:spark-submit'],
    },
    connection,
    secrets: { backend: 'env', options: {} },
  });
  return { ...inv, run: { ...inv.run, conf: { genie_url: elsewhereUrl } } };
};

describe("credentials go only to the connection's host", () => {
  it('sends a genie_basic task to its connection host, whatever the conf names', async () => {
    const { job } = (await handleTask(steered(genieBasic(h.emu.genieUrl)), h.deps)) as SubmitResult;
    expect(h.emu.stats.submissions[job.job_name]).toBe(1);
    expect(seen).toEqual([]);
  });

  it('refuses a connection with credentials but no host, before sending anything', async () => {
    const error = await failure(handleTask(steered(genieBasic()), h.deps));
    expect([error.name, error.message]).toEqual([
      'BadInput',
      "connection 'genie' (genie_basic) has no host: its credentials go only to the host it names",
    ]);
    expect(seen).toEqual([]);
  });

  it('lets a task without credentials choose its endpoint (nothing secret goes there)', async () => {
    await failure(handleTask(steered({ name: 'open', type: 'none', fields: {} }), h.deps));
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.map((headers) => headers.authorization)).toEqual(seen.map(() => undefined));
    seen.length = 0;
  });
});

describe('the DAG file keeps the host with the credentials', () => {
  const dag = (connection: string, task: string): string =>
    [
      'dag_id: hosts',
      'params: { url: { type: string, default: "http://genie:8080" } }',
      'secrets: { backend: env }',
      'connections:',
      `  genie: { ${connection} }`,
      'tasks:',
      `  a: { operator: genie, connection: genie, cluster_tags: [y], command_tags: [s]${task} }`,
    ].join('\n');
  const diagnostics = (text: string): string[] =>
    loadDag(text, 'd.yaml').diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`);
  const basic = 'type: genie_basic, username: u, password: { secret: p }';

  it('refuses a task endpoint beside a connection with credentials, template or not, at its line', () => {
    expect(diagnostics(dag(basic, ', endpoint: "{{ params.url }}"'))).toEqual([
      "7:92: tasks.a.endpoint: connection 'genie' (genie_basic) holds credentials: the host they go to belongs to the connection, fixed in the DAG file; move this URL to connections.genie.host",
    ]);
    expect(diagnostics(dag(basic, ', endpoint: "http://genie:8080"'))).toHaveLength(1);
  });

  it('refuses a templated connection host, saying why', () => {
    const found = diagnostics(dag(`${basic}, host: "{{ params.url }}"`, ''));
    expect(found).toEqual([
      "5:76: connections.genie.host: templates are only rendered in task fields: the host a connection's credentials go to is fixed in the DAG file, never taken from a run's params or conf",
    ]);
  });

  it('accepts the host on the connection, and a templated endpoint without credentials', () => {
    expect(diagnostics(dag(`${basic}, host: "http://genie:8080"`, ''))).toEqual([]);
    expect(diagnostics(dag('type: none', ', endpoint: "{{ params.url }}"'))).toEqual([]);
  });

  it('wants exactly one place for the URL', () => {
    expect(diagnostics(dag(basic, ''))).toEqual([
      "7:3: tasks.a: needs a URL to send requests to: set host on connection 'genie'",
    ]);
    expect(diagnostics(dag('type: none, host: "http://genie:8080"', ', endpoint: "http://other:1"'))).toEqual(
      ["7:92: tasks.a.endpoint: connection 'genie' sets host; a task cannot send its requests elsewhere"],
    );
  });
});
