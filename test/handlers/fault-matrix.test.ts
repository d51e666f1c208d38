import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clearIdentityCache } from '../../src/clients/identity.ts';
import { clearSecretCache } from '../../src/clients/secrets.ts';
import type { SubmitResult, TaskInvocation, TaskSpec } from '../../src/handlers/contract.ts';
import { handleTask } from '../../src/handlers/task.ts';
import type { FaultSpec } from '../../src/local/emulators/index.ts';
import { isAirlessError } from '../../src/errors.ts';
import {
  CLUSTER,
  HDINSIGHT_CONNECTION,
  KEY_VAULT_SECRETS,
  failure,
  invocation,
  runTask,
  startHarness,
  type Harness,
} from './fixtures.ts';

/**
 * Each injectable fault against each job operator, through the real handler, clients, identity and
 * Key Vault, over HTTP to the emulators. Transient faults that pass end in success after retries;
 * faults that persist end in the named error; nothing is ever submitted twice; no secret leaks.
 */
let h: Harness;
let jarPath: string;
const SERVICE_PASSWORD = 'svc-pw-7f3a9c1e';
beforeAll(async () => {
  h = await startHarness(
    {
      jobs: [{ jobName: '*stream*', runSeconds: null }],
      defaultJobRunSeconds: 5,
      secrets: { 'svc-password': SERVICE_PASSWORD },
    },
    { AIRLESS_HTTP_TIMEOUT_MS: '400', AIRLESS_HTTP_ATTEMPTS: '3' },
  );
  jarPath = join(mkdtempSync(join(tmpdir(), 'airless-jar-')), 'job.jar');
  writeFileSync(jarPath, 'PK');
});
afterAll(() => h.close());
beforeEach(() => {
  h.emu.faults.clear();
  clearSecretCache();
  clearIdentityCache();
  h.logs.length = 0;
});

const BASIC: TaskSpec['connection'] = {
  name: 'svc',
  type: 'genie_basic',
  fields: { username: 'etl', password: { secret: 'svc-password' } },
};
/** Credentials go only to the host their connection names. */
const withHost = (host: string): TaskSpec['connection'] => ({
  ...BASIC!,
  fields: { ...BASIC!.fields, host },
});
const KV_PLAIN: TaskSpec['secrets'] = {
  backend: 'azure_key_vault',
  options: { vault_url: 'https://v.vault.azure.net', variables_prefix: '' },
};

type Op = 'flink.hdinsight' | 'flink.rest' | 'genie';
const OWN_SERVICE = { 'flink.hdinsight': 'hdinsight', 'flink.rest': 'flink', genie: 'genie' } as const;

function task(
  op: Op,
  name: string,
  waitFor: TaskInvocation['task']['wait_for'] = 'FINISHED',
): TaskInvocation {
  switch (op) {
    case 'flink.hdinsight':
      return invocation({
        operator: op,
        wait_for: waitFor,
        connection: HDINSIGHT_CONNECTION,
        secrets: KEY_VAULT_SECRETS,
        config: {
          action: 'NEW',
          cluster: CLUSTER,
          job_name: `${name}-{{ run_id }}`,
          jar_directory: 'abfs://j@a.dfs.core.windows.net/jars',
          jar_name: 'wc.jar',
          entry_class: 'org.example.WordCount',
        },
      });
    case 'flink.rest':
      return invocation({
        operator: op,
        wait_for: waitFor,
        connection: withHost(h.emu.flinkUrl),
        secrets: KV_PLAIN,
        config: {
          action: 'NEW',
          jar_path: jarPath,
          entry_class: 'org.example.X',
          job_name: `${name}-{{ run_id }}`,
          args: `--job-name ${name}-{{ run_id }}`,
        },
      });
    case 'genie':
      return invocation({
        operator: op,
        wait_for: waitFor,
        connection: withHost(h.emu.genieUrl),
        secrets: KV_PLAIN,
        config: {
          cluster_tags: ['type:yarn'],
          command_tags: ['type:spark-submit'],
          job_name: `${name}-{{ run_id }}`,
        },
      });
  }
}

/** Nothing secret in what the handler returned or logged: no client secret, password or token. */
function expectNoSecrets(...things: unknown[]): void {
  const text = JSON.stringify(things) + h.logs.join('\n');
  for (const secret of [
    h.emu.clientSecret,
    SERVICE_PASSWORD,
    Buffer.from(`etl:${SERVICE_PASSWORD}`).toString('base64'),
  ]) {
    expect(text).not.toContain(secret);
  }
  expect(text).not.toMatch(/Bearer |eyJ0eXAi/);
}

const hits = () => h.emu.faults.list().reduce((n, f) => n + f.hits, 0);

/** [label, fault (service filled in per case), the error it ends with when it never stops]. */
const TRANSIENT: Array<[string, Omit<FaultSpec, 'times' | 'service'>, string]> = [
  ['throttle', { kind: 'throttle', retryAfterSeconds: 0 }, 'Throttled'],
  ['server-error 503', { kind: 'server-error', status: 503 }, 'ServiceUnavailable'],
  ['server-error 500', { kind: 'server-error', status: 500 }, 'ServiceUnavailable'],
  ['drop', { kind: 'drop' }, 'NetworkError'],
  ['slow', { kind: 'slow', delayMs: 700 }, 'NetworkError'],
];
const OPS: Op[] = ['flink.hdinsight', 'flink.rest', 'genie'];

describe.each(OPS)('fault matrix: %s', (op) => {
  const service = OWN_SERVICE[op];

  it.each(TRANSIENT)(`${op} × %s twice: retried to success, one submission`, async (_label, fault) => {
    h.emu.faults.add({ ...fault, service, times: 2 });
    const inv = task(op, `t-${op.replace('.', '')}`);
    const { job, output } = await runTask(h, inv);
    expect(hits()).toBe(2);
    expect(output.status).toMatch(/FINISHED|SUCCEEDED/);
    expect(h.emu.stats.duplicates()).toEqual({});
    expect(Object.values(h.emu.stats.submissions).some((n) => n === 1)).toBe(true);
    expectNoSecrets(job, output);
  });

  it.each(TRANSIENT)(
    `${op} × %s always: ends with its named error, nothing submitted`,
    async (_label, fault, name) => {
      h.emu.faults.add({ ...fault, service, times: 'always' });
      const before = { ...h.emu.stats.submissions };
      const error = await failure(handleTask(task(op, 'a'), h.deps));
      expect(error.name).toBe(name);
      expect(h.emu.stats.submissions).toEqual(before);
      expectNoSecrets(error.message);
    },
  );

  it.each([
    ['entra', 'throttle', 'ServiceUnavailable'], // MSAL hides the 429: a failing authority
    ['entra', 'server-error', 'ServiceUnavailable'],
    ['keyvault', 'server-error', 'ServiceUnavailable'],
    ['keyvault', 'token-expiry', 'AuthFailed'],
    ...(op === 'flink.hdinsight' ? [['hdinsight', 'token-expiry', 'AuthFailed']] : []),
  ] as Array<[FaultSpec['service'], 'throttle' | 'server-error' | 'token-expiry', string]>)(
    `${op} × %s %s: once recovers; always ends %s`,
    async (faultService, kind, name) => {
      const fault = { kind, service: faultService, ...(kind === 'throttle' ? { retryAfterSeconds: 0 } : {}) };
      h.emu.faults.add({ ...fault, times: 1 });
      const { output } = await runTask(h, task(op, `d-${op.replace('.', '')}`));
      expect(output.status).toMatch(/FINISHED|SUCCEEDED/);
      expect(hits()).toBe(1);
      clearSecretCache();
      clearIdentityCache();
      h.emu.faults.clear();
      h.emu.faults.add({ ...fault, times: 'always' });
      const before = { ...h.emu.stats.submissions };
      const error = await failure(handleTask(task(op, 'b'), h.deps));
      expect(error.name).toBe(name);
      expect(h.emu.stats.submissions).toEqual(before);
      expect(h.emu.stats.duplicates()).toEqual({});
      expectNoSecrets(error.message);
    },
  );

  it(`${op} × job-fails: JobFailed, one submission`, async () => {
    h.emu.faults.add({ kind: 'job-fails', service, afterSeconds: 1 });
    const error = await failure(runTask(h, task(op, `f-${op.replace('.', '')}`)));
    expect(error.name).toBe('JobFailed');
    expect(hits()).toBe(1);
    expect(h.emu.stats.duplicates()).toEqual({});
    expectNoSecrets(error.message);
  });

  it(`${op} × action-stuck: poll keeps answering StillRunning`, async () => {
    let inv = task(op, `s-stream-${op.replace('.', '')}`, op === 'genie' ? 'FINISHED' : 'RUNNING');
    if (op !== 'genie') {
      // Stuck applies to the savepoint (Flink) or any action (ARM): take one on a running job.
      const started = await runTask(h, inv);
      const base = task(op, 'unused');
      const config =
        op === 'flink.hdinsight'
          ? { action: 'SAVEPOINT', cluster: CLUSTER, job_name: started.job.job_name }
          : {
              action: 'SAVEPOINT',
              job_id: started.job.job_id,
              target_directory: 'file:///sp',
            };
      inv = {
        ...base,
        run: inv.run,
        task: { ...base.task, task_id: 'savepoint', config, wait_for: 'FINISHED' },
      };
    }
    h.emu.faults.add({ kind: 'action-stuck', service });
    const { job } = (await handleTask(inv, h.deps)) as SubmitResult;
    for (let i = 0; i < 10; i++) {
      h.emu.clock.advance(600);
      const error = await failure(handleTask({ ...inv, op: 'poll', job }, h.deps));
      expect(isAirlessError(error, 'StillRunning')).toBe(true);
    }
    expect(hits()).toBe(1);
  });
});
