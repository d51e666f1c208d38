/**
 * Names an Airflow or dag-factory user is likely to write, and what this format calls them: a hint
 * where a plain did-you-mean would find nothing (the spellings are too far apart).
 */
const KEY_RENAMES: Record<string, string> = {
  schedule_interval: "Airflow 2's 'schedule_interval' is 'schedule' here",
  timetable: "a timetable is written as 'schedule' (a cron, a preset or rate(...)) here",
  concurrency: "Airflow's old 'concurrency' is 'max_active_tasks' here",
  dependencies: "dag-factory's 'dependencies' is 'depends_on' here",
  upstream: "upstream tasks are listed in 'depends_on' here",
  task_id: "a task's id is its key under 'tasks'",
  dag_id: 'dag_id belongs at the top of the file, not in a task',
  operator_class: "'operator' names the operator here: empty, flink.hdinsight, flink.rest or genie",
  start_date: 'runs start from a schedule, an API call or a data trigger; there is no start_date',
  end_date: 'there is no end_date: remove the schedule (schedule: null) to stop scheduled runs',
  conn_id: "'connection' names a connection from 'connections' here",
  genie_conn_id: "'connection' names a connection from 'connections' here",
  on_failure_callback: 'callbacks are code, and a DAG file is data: there are none',
  on_success_callback: 'callbacks are code, and a DAG file is data: there are none',
  sla: 'there is no sla; set execution_timeout to bound a try',
  pool: 'there are no pools; max_active_tasks bounds the tasks of a run',
  queue: 'there are no queues: handlers are serverless functions',
  email_on_failure: 'there is no e-mail on failure; watch the run outcome instead',
};

/** Airflow's old trigger-rule names (task/trigger_rule.py). */
const TRIGGER_RULE_ALIASES: Record<string, string> = {
  dummy: 'always',
  none_failed_or_skipped: 'none_failed_min_one_success',
};

export const airflowKeyHint = (key: string): string =>
  Object.prototype.hasOwnProperty.call(KEY_RENAMES, key) ? ` (${KEY_RENAMES[key]})` : '';

export const triggerRuleAlias = (value: string): string =>
  Object.prototype.hasOwnProperty.call(TRIGGER_RULE_ALIASES, value)
    ? `; '${value}' is Airflow's old name for '${TRIGGER_RULE_ALIASES[value]}'`
    : '';

/** Fields of one operator written on another: the closest spelling is not the right field. */
const OPERATOR_KEY_HINTS: Record<string, Record<string, string>> = {
  'flink.rest': {
    jar_name:
      " (flink.rest takes 'jar_path', a jar file the handler uploads, or 'jar_id', a jar already on the JobManager)",
    jar_directory:
      " (flink.rest takes 'jar_path', a jar file the handler uploads, or 'jar_id', a jar already on the JobManager)",
  },
  'flink.hdinsight': {
    jar_path: " (flink.hdinsight takes 'jar_directory' and 'jar_name', in the cluster's storage)",
    jar_id: " (flink.hdinsight takes 'jar_directory' and 'jar_name', in the cluster's storage)",
  },
};

export const operatorKeyHint = (task: unknown, key: string): string => {
  const operator = (task as { operator?: unknown } | null)?.operator;
  const hints = typeof operator === 'string' ? OPERATOR_KEY_HINTS[operator] : undefined;
  return hints && Object.hasOwn(hints, key) ? hints[key]! : '';
};
