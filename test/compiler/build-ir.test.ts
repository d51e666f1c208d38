import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildIr } from '../../src/compiler/build-ir.ts';
import type { PlanIR, TaskIR } from '../../src/compiler/ir.ts';
import { loadDag } from '../../src/dag/validate.ts';

function ir(text: string): PlanIR {
  const { dag, diagnostics } = loadDag(text, 'test.yaml');
  expect(diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual([]);
  return buildIr(dag!, text);
}
const task = (plan: PlanIR, id: string): TaskIR => plan.tasks.find((t) => t.task_id === id)!;

const HDINSIGHT = `
    operator: flink.hdinsight
    action: NEW
    cluster: { subscription: s, resource_group: r, pool: p, name: "{{ params.cluster }}" }
    job_name: "j-{{ run_id }}"
    jar_directory: abfs://c@a.dfs.core.windows.net/jars
    jar_name: job.jar
    entry_class: com.example.Job`;

describe('buildIr', () => {
  it('start_date and end_date become UTC instants; a date or a date-time without offset is read in the DAG zone', () => {
    const plan = ir(
      "dag_id: d\nschedule: '@daily'\ntimezone: America/New_York\nstart_date: 2026-03-08\nend_date: '2026-03-08T02:30:00'\ncatchup: true\ntasks:\n  m: { operator: empty }\n",
    );
    expect(plan).toMatchObject({
      start_date: '2026-03-08T05:00:00+00:00',
      // 02:30 does not exist that night (clocks jump from 02:00 EST to 03:00 EDT): read with EST.
      end_date: '2026-03-08T07:30:00+00:00',
      catchup: true,
    });
    expect(
      ir('dag_id: d\nstart_date: 2026-01-01T06:00:00+02:00\ntasks:\n  m: { operator: empty }\n').start_date,
    ).toBe('2026-01-01T04:00:00+00:00');
  });

  it("applies Airflow's defaults where the file says nothing", () => {
    const plan = ir(
      `dag_id: d\ntasks:\n  m: { operator: empty }\n  j:${HDINSIGHT}\nparams: { cluster: { type: string } }\n`,
    );
    expect(plan).toMatchObject({
      schedule: { kind: 'none' },
      timezone: 'UTC',
      start_date: null,
      end_date: null,
      catchup: false,
      max_active_runs: 16,
      max_active_tasks: 16,
      description: null,
      secrets: null,
      triggers: [],
    });
    expect(task(plan, 'm')).toMatchObject({
      trigger_rule: 'all_success',
      retries: 0,
      retry_delay_s: 300,
      retry_exponential_backoff: false,
      max_retry_delay_s: null,
      execution_timeout_s: null,
      expected_duration_s: 0,
      wait_for: null,
      poke_interval_s: null,
      max_poke_interval_s: null,
      connection: null,
      config: {},
      doc: null,
    });
    expect(task(plan, 'j')).toMatchObject({
      expected_duration_s: 60,
      wait_for: 'FINISHED',
      poke_interval_s: 60,
      max_poke_interval_s: 300,
    });
    expect(task(plan, 'j').config.api_version).toBe('2024-05-01-preview');
  });

  it('applies default_args, lets a task override them, and turns every duration into seconds', () => {
    const plan = ir(`dag_id: d
params: { cluster: { type: string } }
default_args: { retries: 2, retry_delay: 1h30m, execution_timeout: PT2H, poke_interval: 500ms, wait_for: RUNNING }
tasks:
  a:${HDINSIGHT}
  b:${HDINSIGHT}
    retries: 5
    retry_delay: 45
    expected_duration: 1d
    wait_for: ACCEPTED
`);
    expect(task(plan, 'a')).toMatchObject({
      retries: 2,
      retry_delay_s: 5400,
      execution_timeout_s: 7200,
      poke_interval_s: 0.5,
      wait_for: 'RUNNING',
    });
    expect(task(plan, 'b')).toMatchObject({
      retries: 5,
      retry_delay_s: 45,
      expected_duration_s: 86400,
      wait_for: 'ACCEPTED',
    });
  });

  it('lists template references by config field and the upstream outputs a task reads', () => {
    const plan = ir(`dag_id: d
params: { cluster: { type: string }, bucket: { type: string } }
connections: { g: { type: none } }
tasks:
  a:${HDINSIGHT}
  b:
    operator: genie
    depends_on: [a]
    endpoint: http://genie:8080
    cluster_tags: ["role:batch"]
    command_tags: ["type:spark-submit"]
    command_arguments: "run {{ tasks.a.output.job_id }} {{ tasks.a.output.status }} {{ ds }} {{ ds }}"
    dependencies: ["s3://x", "s3://{{ params.bucket }}/{{ tasks.a.output.job_id }}.py"]
    timeout: 2h
`);
    const b = task(plan, 'b');
    expect(b.templates).toEqual([
      { field: 'command_arguments', ref: 'ds' },
      { field: 'command_arguments', ref: 'tasks.a.output.job_id' },
      { field: 'command_arguments', ref: 'tasks.a.output.status' },
      { field: 'dependencies.1', ref: 'params.bucket' },
      { field: 'dependencies.1', ref: 'tasks.a.output.job_id' },
    ]);
    expect(b.reads).toEqual([
      { task: 'a', field: 'job_id' },
      { task: 'a', field: 'status' },
    ]);
    expect(b.config.cluster_tags).toEqual([['role:batch']]);
    expect(b.config.timeout).toBe(7200);
    expect(task(plan, 'a').templates).toEqual([
      { field: 'cluster.name', ref: 'params.cluster' },
      { field: 'job_name', ref: 'run_id' },
    ]);
  });

  it('computes topological order, transitive reduction, roots, leaves and the critical path', () => {
    // a -> b -> d, a -> c -> d, and a redundant a -> d; c is the slow branch.
    const plan = ir(`dag_id: d
tasks:
  d: { operator: empty, depends_on: [c, b, a], expected_duration: 1m }
  c: { operator: empty, depends_on: [a], expected_duration: 10m }
  b: { operator: empty, depends_on: [a], expected_duration: 2m }
  a: { operator: empty, expected_duration: 30s }
  z: { operator: empty }
`);
    expect(plan.tasks.map((t) => t.task_id)).toEqual(['a', 'b', 'c', 'd', 'z']);
    expect(task(plan, 'd').upstream).toEqual(['a', 'b', 'c']);
    expect(task(plan, 'a').downstream).toEqual(['b', 'c', 'd']);
    expect(plan.graph).toEqual({
      topological_order: ['a', 'b', 'c', 'd', 'z'],
      reduced_edges: [
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'd'],
        ['c', 'd'],
      ],
      roots: ['a', 'z'],
      leaves: ['d', 'z'],
      critical_path: { tasks: ['a', 'c', 'd'], seconds: 690 },
    });
  });

  it('splits connections and secrets into type/backend and their fields, and fills trigger defaults', () => {
    const text = `dag_id: d
schedule: "rate(15 minutes)"
timezone: Europe/Stockholm
connections:
  az: { type: azure_client_credentials, tenant_id: t, client_id: { secret: cid }, client_secret: { secret: cs } }
secrets: { backend: aws_ssm, prefix: /airless }
triggers: [{ s3: { bucket: landing, suffix: .csv } }]
tasks: { a: { operator: empty } }
`;
    const plan = ir(text);
    expect(plan.connections).toEqual({
      az: {
        type: 'azure_client_credentials',
        fields: { tenant_id: 't', client_id: { secret: 'cid' }, client_secret: { secret: 'cs' } },
      },
    });
    expect(plan.secrets).toEqual({ backend: 'aws_ssm', options: { prefix: '/airless' } });
    expect(plan.triggers).toEqual([{ s3: { bucket: 'landing', prefix: '', suffix: '.csv' } }]);
    expect(plan.schedule).toEqual({ kind: 'rate', every_s: 900, source: 'rate(15 minutes)' });
    expect(plan.timezone).toBe('Europe/Stockholm');
    expect(plan.source_sha256).toBe(createHash('sha256').update(text).digest('hex'));
  });
});
