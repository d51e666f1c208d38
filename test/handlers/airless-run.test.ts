import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnosticLines, loadDagFiles } from '../../src/cli/load-dags.ts';
import { buildIr } from '../../src/compiler/build-ir.ts';
import type { RunningEmulators } from '../../src/local/emulators/index.ts';
import { runAwsWithHandlers } from '../../src/local/aws/run-real-aws.ts';

/** `airless run` with real handlers: compiled ASL in aws-local-stepfunctions, emulators in-process. */
async function plan(file: string) {
  const [loaded] = await loadDagFiles([file]);
  if (!loaded?.dag) throw new Error(`invalid DAG ${file}: ${diagnosticLines([loaded!]).join('\n')}`);
  return buildIr(loaded.dag, loaded.text);
}

const dir = mkdtempSync(join(tmpdir(), 'airless-run-'));
const jar = join(dir, 'orders.jar');
writeFileSync(jar, 'PK');
const MIXED = join(dir, 'mixed.yaml');
writeFileSync(
  MIXED,
  `dag_id: mixed_operators
description: one task of each job operator, chained through upstream outputs
params:
  clusterNm: { type: string, default: flink1 }
default_args:
  execution_timeout: 1h
connections:
  hdinsight:
    type: azure_client_credentials
    tenant_id: { secret: tenant-id }
    client_id: { secret: api-client-id }
    client_secret: { secret: api-secret }
secrets:
  backend: azure_key_vault
  vault_url: https://myvault.vault.azure.net
  variables_prefix: hdinsight-aks-variables
tasks:
  hdi:
    operator: flink.hdinsight
    action: NEW
    connection: hdinsight
    cluster: { subscription: sub1, resource_group: rg1, pool: pool1, name: '{{ params.clusterNm }}' }
    job_name: 'wc-{{ run_id }}'
    jar_directory: abfs://jars@acct.dfs.core.windows.net/jars
    jar_name: wc.jar
    entry_class: org.example.WordCount
  rest:
    operator: flink.rest
    depends_on: [hdi]
    endpoint: http://jobmanager:8081
    action: NEW
    jar_path: ${jar}
    entry_class: org.example.Orders
    args: '--after {{ tasks.hdi.output.job_id }}'
  genie:
    operator: genie
    depends_on: [rest]
    endpoint: http://genie:8080
    cluster_tags: ['type:yarn']
    command_tags: ['type:spark-submit']
    command_arguments: 'report.py {{ tasks.rest.output.job_id }}'
  report:
    operator: empty
    depends_on: [genie]
    trigger_rule: all_done
`,
);

describe('airless run with real handlers (aws engine)', () => {
  it('runs the seeds word count DAG to success, printing progress per task', async () => {
    const lines: string[] = [];
    const trace = await runAwsWithHandlers(await plan('dags/flink_wordcount.yaml'), {
      conf: {
        subscription: '00000000-0000-0000-0000-000000000000',
        rg: 'rg',
        poolNm: 'pool',
        clusterNm: 'demo',
        jarDirectory: 'abfs://f@a.dfs.core.windows.net',
      },
      print: (line) => lines.push(line),
    });
    expect(trace.state).toBe('success');
    expect(trace.tasks.submit_wordcount).toMatchObject({ state: 'success', try_number: 1 });
    const text = lines.join('\n');
    expect(text).toMatch(/submit_wordcount try 1: submitted wordcount-manual-/);
    expect(text).toMatch(/submit_wordcount try 1: FINISHED after \d+ polls?, job id [0-9a-f]{32}/);
    expect(text).not.toMatch(/Bearer|eyJ0eXAi|emu~/);
  });

  it('chains all three operators, upstream outputs feeding templates, then an empty join', async () => {
    const lines: string[] = [];
    const trace = await runAwsWithHandlers(await plan(MIXED), {
      conf: {},
      print: (line) => lines.push(line),
    });
    expect(trace.state).toBe('success');
    expect(Object.values(trace.tasks).map((t) => t.state)).toEqual([
      'success',
      'success',
      'success',
      'success',
    ]);
    expect(lines.join('\n')).toMatch(/genie try 1: SUCCEEDED/);
    expect(lines.join('\n')).toMatch(/report try 1: done/);
  });

  it('faults: retried calls, a failed job retried as try 2, no duplicate, no secret in any event', async () => {
    const events: unknown[] = [];
    const lines: string[] = [];
    let emulators: RunningEmulators | undefined;
    const trace = await runAwsWithHandlers(await plan('dags/flink_wordcount.yaml'), {
      conf: {
        subscription: 's1',
        rg: 'rg',
        poolNm: 'pool',
        clusterNm: 'demo',
        jarDirectory: 'abfs://f@a.dfs.core.windows.net',
      },
      print: (line) => lines.push(line),
      onEvent: (event) => events.push(event),
      onEmulators: (emu) => {
        emulators = emu;
        emu.faults.add([
          { kind: 'throttle', service: 'hdinsight', retryAfterSeconds: 0, times: 2 },
          { kind: 'token-expiry', service: 'hdinsight', times: 1 },
          { kind: 'drop', service: 'keyvault', times: 1 },
          { kind: 'job-fails', service: 'hdinsight', afterSeconds: 3, times: 1 },
        ]);
      },
    });
    expect(trace.state).toBe('success');
    expect(trace.tasks.submit_wordcount).toMatchObject({ state: 'success', try_number: 2 });
    expect(lines.join('\n')).toMatch(/try 1: poll failed: JobFailed/);
    const stats = emulators!.stats;
    expect(stats.duplicates()).toEqual({});
    expect(Object.values(stats.submissions)).toEqual([1, 1]);
    expect(Object.keys(stats.submissions)[1]).toMatch(/-try2-[0-9a-f]{10}$/);
    expect(emulators!.faults.list().every((f) => f.hits === f.remaining + f.hits && f.remaining === 0)).toBe(
      true,
    );
    const text = JSON.stringify(events) + lines.join('\n');
    expect(text).not.toContain(emulators!.clientSecret);
    expect(text).not.toMatch(/Bearer|eyJ0eXAi/);
  });

  it('runs the app-mode lifecycle DAG on a job already running on the cluster', async () => {
    const lines: string[] = [];
    const conf = {
      subscription: 'sub1',
      rg: 'rg',
      poolNm: 'pool',
      clusterNm: 'appmode',
      jobName: 'orders-agg',
      jobArgs: '--v 2',
    };
    const clusterPath =
      '/subscriptions/sub1/resourceGroups/rg/providers/Microsoft.HDInsight/clusterpools/pool/clusters/appmode';
    let emulators: RunningEmulators | undefined;
    const trace = await runAwsWithHandlers(await plan('dags/flink_app_lifecycle.yaml'), {
      conf,
      print: (line) => lines.push(line),
      emulators: { jobs: [{ jobName: 'orders-agg', runSeconds: null }] },
      onEmulators: (emu) => {
        emulators = emu;
        // The DAG's precondition: the application-mode job runs already.
        emu.state.hdinsight.begin(clusterPath, {
          action: 'NEW',
          jobName: 'orders-agg',
          jobJarDirectory: 'abfs://j@a.dfs.core.windows.net/jars',
          jarName: 'orders.jar',
          entryClass: 'Orders',
        });
        emu.clock.advance(60);
      },
    });
    expect(trace.state).toBe('success');
    expect(Object.values(trace.tasks).every((t) => t.state === 'success' && t.try_number === 1)).toBe(true);
    const job = emulators!.state.hdinsight.get(clusterPath, 'orders-agg')!;
    expect(job).toMatchObject({ status: 'RUNNING', action: 'START', args: '--v 2' });
    expect(job.savepoints).toHaveLength(3); // SAVEPOINT, UPDATE's own, STOP
    expect(job.restoredFrom).toBe(job.savepoints[2]);
  });

  it('runs the movielens Genie DAG: five jobs, ordered cluster criteria resolved by the emulated Genie', async () => {
    const lines: string[] = [];
    const trace = await runAwsWithHandlers(await plan('dags/movielens_genie.yaml'), {
      conf: { bucket: 'demo-bucket' },
      print: (line) => lines.push(line),
    });
    expect(trace.state).toBe('success');
    expect(Object.keys(trace.tasks)).toHaveLength(5);
    expect(lines.filter((l) => / SUCCEEDED after /.test(l))).toHaveLength(5);
  });

  it('a task that cannot succeed fails the run with its named error', async () => {
    const lines: string[] = [];
    const trace = await runAwsWithHandlers(await plan('dags/flink_app_lifecycle.yaml'), {
      conf: { subscription: 's', rg: 'rg', poolNm: 'p', clusterNm: 'c', jobName: 'no-such-job' },
      print: (line) => lines.push(line),
    });
    expect(trace.state).toBe('failed');
    expect(trace.tasks.take_savepoint!.state).toBe('failed');
    expect(trace.tasks.update_job!.state).toBe('upstream_failed');
    expect(lines.join('\n')).toMatch(
      /take_savepoint try 1: submit failed: NotFound: no job named 'no-such-job'/,
    );
  });
});
