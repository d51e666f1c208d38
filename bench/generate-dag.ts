import { stringify } from 'yaml';

/**
 * Random layered DAG files for benchmarks and property tests: tasks are spread over layers, each
 * task below the first depends on 1..3 tasks of the two layers above it, operators are mixed, job
 * tasks carry templates (params and upstream outputs) and an expected_duration. A seed makes the
 * output reproducible.
 */
export interface GenerateOptions {
  tasks: number;
  seed?: number;
  /** Tasks per layer; default about the square root of the task count. */
  width?: number;
}

export function generateDag(options: GenerateOptions): Record<string, unknown> {
  const random = mulberry32(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const width = options.width ?? Math.max(1, Math.round(Math.sqrt(options.tasks)));
  const ids = Array.from({ length: options.tasks }, (_, i) => `t${String(i).padStart(5, '0')}`);
  const tasks: Record<string, Record<string, unknown>> = {};
  ids.forEach((id, i) => {
    const layer = Math.floor(i / width);
    const candidates = ids.slice(Math.max(0, (layer - 2) * width), layer * width);
    const upstream = new Set<string>();
    const fanIn = candidates.length === 0 ? 0 : 1 + Math.floor(random() * 3);
    for (let k = 0; k < fanIn; k++) upstream.add(pick(candidates));
    const task = generateTask(id, pick(['empty', 'flink.hdinsight', 'flink.rest', 'genie']), random);
    if (upstream.size > 0) {
      const dependsOn = [...upstream].sort();
      task.depends_on = dependsOn;
      const first = dependsOn[0]!;
      if (tasks[first]?.operator !== 'empty' && task.operator !== 'empty') {
        task.job_name = `${id}-after-{{ tasks.${first}.output.job_id }}`;
      }
      if (random() < 0.1) task.trigger_rule = pick(['all_done', 'one_success', 'none_failed']);
    }
    tasks[id] = task;
  });
  return {
    dag_id: `bench_${options.tasks}`,
    description: `generated: ${options.tasks} tasks, seed ${options.seed ?? 1}`,
    schedule: '0 3 * * *',
    timezone: 'Europe/Stockholm',
    max_active_tasks: 8,
    params: { env: { type: 'string', default: 'test' }, bucket: { type: 'string', default: 'data' } },
    default_args: { retries: 2, retry_delay: '30s', execution_timeout: '2h' },
    connections: {
      hdinsight: { type: 'azure_managed_identity' },
      genie: { type: 'none' },
      flink: { type: 'none' },
    },
    tasks,
  };
}

export function generateDagYaml(options: GenerateOptions): string {
  return stringify(generateDag(options), { lineWidth: 0 });
}

function generateTask(id: string, operator: string, random: () => number): Record<string, unknown> {
  const expected_duration = `${1 + Math.floor(random() * 30)}m`;
  switch (operator) {
    case 'flink.hdinsight':
      return {
        operator,
        action: 'NEW',
        connection: 'hdinsight',
        cluster: { subscription: 'sub-1', resource_group: 'rg', pool: 'pool', name: 'flink' },
        job_name: `${id}-{{ ds_nodash }}`,
        jar_directory: 'abfs://jars@acct.dfs.core.windows.net/jars',
        jar_name: 'job.jar',
        entry_class: 'com.example.Job',
        args: `--env {{ params.env }} --date {{ ds }}`,
        wait_for: 'FINISHED',
        expected_duration,
      };
    case 'flink.rest':
      return {
        operator,
        action: 'NEW',
        connection: 'flink',
        endpoint: 'http://flink-jobmanager:8081',
        jar_path: '/opt/flink/usrlib/job.jar',
        entry_class: 'com.example.Job',
        args: `--input s3://{{ params.bucket }}/{{ ds }}/`,
        job_name: `${id}-{{ run_id }}`,
        expected_duration,
      };
    case 'genie':
      return {
        operator,
        connection: 'genie',
        endpoint: 'http://genie:8080',
        cluster_tags: ['emr.cluster.role:batch'],
        command_tags: ['type:spark-submit'],
        command_arguments: `etl.py s3://{{ params.bucket }}/{{ ds_nodash }}/${id}`,
        job_name: `${id}-{{ ds_nodash }}`,
        expected_duration,
      };
    default:
      return { operator: 'empty' };
  }
}

/** A small, fast, seedable PRNG (public domain). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
