import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../../src/aws/lambda/task.ts';
import type { SubmitResult } from '../../../src/handlers/contract.ts';
import {
  CLUSTER,
  HDINSIGHT_CONNECTION,
  KEY_VAULT_SECRETS,
  failure,
  invocation,
  startHarness,
  type Harness,
} from '../../handlers/fixtures.ts';

/** The Lambda shell reads its endpoints from the environment, as deployed functions do. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  Object.assign(process.env, {
    AIRLESS_ARM_ENDPOINT: h.emu.armUrl,
    AIRLESS_AUTHORITY_HOST: h.emu.authorityHost,
    AIRLESS_KEYVAULT_URL: h.emu.keyVaultUrl,
    AIRLESS_CA_PEM: h.emu.caPem,
    AIRLESS_LOG: 'off',
  });
});
afterAll(() => h.close());

const context = {
  functionName: 'task',
  awsRequestId: 'r1',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

describe('Lambda shell (middy) for the task handler', () => {
  it('submits through the environment-configured endpoints', async () => {
    const inv = invocation({
      operator: 'flink.hdinsight',
      connection: HDINSIGHT_CONNECTION,
      secrets: KEY_VAULT_SECRETS,
      config: {
        action: 'NEW',
        cluster: CLUSTER,
        job_name: 'lambda-{{ run_id }}',
        jar_directory: 'abfs://j@a.dfs.core.windows.net/jars',
        jar_name: 'wc.jar',
        entry_class: 'org.example.WordCount',
      },
    });
    const result = (await handler(inv, context)) as SubmitResult;
    expect(h.emu.stats.submissions[result.job.job_name]).toBe(1);
  });

  it('a thrown error keeps its name, which Lambda reports as errorType', async () => {
    const error = await failure(handler({ op: 'submit' }, context));
    expect(error.name).toBe('BadInput');
  });
});
