import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/dag/diagnostics.ts';
import { loadDag } from '../../src/dag/validate.ts';

/** The formatted diagnostics of a DAG text, as `dag.yaml:line:col: error: message` lines. */
const errors = (text: string, file = 'dag.yaml'): string[] =>
  loadDag(text, file).diagnostics.map(formatDiagnostic);

/** YAML written inline, indented to the test: drops the common indentation and the first newline. */
function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: strings }, ...values).replace(/^\n/, '');
  const indent = Math.min(
    ...text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => l.match(/^ */)![0].length),
  );
  return text
    .split('\n')
    .map((l) => l.slice(indent))
    .join('\n');
}

const fixture = (name: string): string => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

describe('loadDag: valid files', () => {
  it.each(['flink_wordcount.yaml', 'movielens_genie.json', 'flink_app_lifecycle.yaml'])(
    'accepts %s',
    (name) => {
      const result = loadDag(fixture(name), name);
      expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
      expect(result.dag?.dag_id).toBe(name.replace(/\.(yaml|json)$/, ''));
    },
  );

  it('returns the document as written, without defaults', () => {
    const { dag } = loadDag('dag_id: d\ntasks:\n  a: { operator: empty }\n', 'd.yaml');
    expect(dag).toEqual({ dag_id: 'd', tasks: { a: { operator: 'empty' } } });
  });
});

describe('loadDag: one test per kind of diagnostic', () => {
  it('YAML syntax errors, all of them', () => {
    const text = yaml`
      dag_id: d
      tasks:
        a: { operator: empty
      b: "unclosed
    `;
    expect(errors(text)).toEqual([
      'dag.yaml:4:1: error: YAML: Flow map in block collection must be sufficiently indented and end with a }',
      "dag.yaml:4:1: error: unknown key 'b'",
      'dag.yaml:5:1: error: YAML: Missing closing "quote',
    ]);
  });

  it('one document per file', () => {
    expect(errors('dag_id: d\ntasks: {}\n---\ndag_id: e\n')).toEqual([
      'dag.yaml:3:1: error: a DAG file holds one YAML document; this is a second one',
    ]);
  });

  it('duplicate keys', () => {
    const text = yaml`
      dag_id: d
      tasks:
        a: { operator: empty }
        a: { operator: empty }
      dag_id: e
    `;
    expect(errors(text)).toEqual([
      "dag.yaml:4:3: error: duplicate key 'a'",
      "dag.yaml:5:1: error: duplicate key 'dag_id'",
    ]);
  });

  it('a file that is not a mapping, and an empty file', () => {
    expect(errors('- a\n- b\n')).toEqual([
      'dag.yaml:1:1: error: a DAG file is a mapping with at least dag_id and tasks, got a list',
    ]);
    expect(errors('')).toEqual([
      'dag.yaml:1:1: error: a DAG file is a mapping with at least dag_id and tasks, got null',
    ]);
  });

  it('missing required fields point at their parent', () => {
    const text = yaml`
      description: x
      tasks:
        a:
          doc: nothing
    `;
    expect(errors(text)).toEqual([
      "dag.yaml:1:1: error: missing required field 'dag_id'",
      "dag.yaml:3:3: error: tasks.a: missing 'operator' (one of 'empty', 'flink.hdinsight', 'flink.rest' or 'genie')",
    ]);
  });

  it('unknown keys with a did-you-mean, at the key', () => {
    const text = yaml`
      dag_id: d
      shedule: "@daily"
      tasks:
        a: { operator: empty, retires: 2, zzz: 1, endpoint: x }
    `;
    expect(errors(text)).toEqual([
      "dag.yaml:2:1: error: unknown key 'shedule'; did you mean 'schedule'?",
      "dag.yaml:4:25: error: tasks.a: unknown key 'retires' for operator empty; did you mean 'retries'?",
      "dag.yaml:4:37: error: tasks.a: unknown key 'zzz' for operator empty",
      "dag.yaml:4:45: error: tasks.a: unknown key 'endpoint' for operator empty (a field of flink.rest and genie)",
    ]);
  });

  it('Airflow and dag-factory names get a pointer to their name here', () => {
    const text = yaml`
      dag_id: d
      schedule_interval: "@daily"
      tasks:
        a: { operator: empty, dependencies: [b], trigger_rule: dummy }
        b: { operator: empty, pool: big }
    `;
    expect(errors(text)).toEqual([
      "dag.yaml:2:1: error: unknown key 'schedule_interval' (Airflow 2's 'schedule_interval' is 'schedule' here)",
      "dag.yaml:4:25: error: tasks.a: unknown key 'dependencies' for operator empty (dag-factory's 'dependencies' is 'depends_on' here)",
      "dag.yaml:4:58: error: tasks.a.trigger_rule: unknown trigger_rule 'dummy'; 'dummy' is Airflow's old name for 'always'",
      "dag.yaml:5:25: error: tasks.b: unknown key 'pool' for operator empty (there are no pools; max_active_tasks bounds the tasks of a run)",
    ]);
  });

  it('wrong types', () => {
    const text = yaml`
      dag_id: d
      catchup: "yes"
      max_active_runs: 1.5
      tasks:
        a: { operator: empty, retries: three, depends_on: b }
    `;
    expect(errors(text)).toEqual([
      "dag.yaml:2:10: error: catchup: expected true or false, got 'yes'",
      'dag.yaml:3:18: error: max_active_runs: expected an integer, got the number 1.5',
      "dag.yaml:5:34: error: tasks.a.retries: expected a number, got 'three'",
      "dag.yaml:5:53: error: tasks.a.depends_on: expected a list, got 'b'",
    ]);
  });

  it('enum values with did-you-mean: operator, action, trigger rule, wait_for, connection type', () => {
    const text = yaml`
      dag_id: d
      connections:
        c: { type: azure_defualt }
      tasks:
        a: { operator: flink.hdinsigt }
        b:
          operator: flink.hdinsight
          action: SAVEPOIN
          cluster: { subscription: s, resource_group: r, pool: p, name: n }
          job_name: j
          wait_for: RUN
          trigger_rule: all_sucess
    `;
    expect(errors(text)).toEqual([
      "dag.yaml:3:14: error: connections.c.type: unknown type 'azure_defualt'; did you mean 'azure_default'?",
      "dag.yaml:5:18: error: tasks.a.operator: unknown operator 'flink.hdinsigt'; did you mean 'flink.hdinsight'?",
      "dag.yaml:8:13: error: tasks.b.action: unknown action 'SAVEPOIN'; did you mean 'SAVEPOINT'?",
      "dag.yaml:11:15: error: tasks.b.wait_for: unknown wait_for 'RUN' (expected 'FINISHED', 'RUNNING' or 'ACCEPTED')",
      "dag.yaml:12:19: error: tasks.b.trigger_rule: unknown trigger_rule 'all_sucess'; did you mean 'all_success'?",
    ]);
  });

  it('common fields are still checked when the operator is unknown', () => {
    const text = yaml`
      dag_id: d
      tasks:
        a: { operator: spark, trigger_rule: any, retries: -1 }
    `;
    expect(errors(text)).toEqual([
      "dag.yaml:3:18: error: tasks.a.operator: unknown operator 'spark' (expected 'empty', 'flink.hdinsight', 'flink.rest' or 'genie')",
      "dag.yaml:3:39: error: tasks.a.trigger_rule: unknown trigger_rule 'any' (expected 'all_success', 'all_failed', 'all_done', 'all_done_min_one_success', 'all_skipped', 'one_success', 'one_failed', 'one_done', 'none_failed', 'none_failed_min_one_success', 'none_skipped' or 'always')",
      'dag.yaml:3:53: error: tasks.a.retries: must be >= 0, got -1',
    ]);
  });

  it('cycles, printed as a path', () => {
    const text = yaml`
      dag_id: d
      tasks:
        a: { operator: empty, depends_on: [c] }
        b: { operator: empty, depends_on: [a] }
        c: { operator: empty, depends_on: [b] }
        self: { operator: empty, depends_on: [self] }
    `;
    expect(errors(text)).toEqual([
      'dag.yaml:4:38: error: tasks.b.depends_on[0]: dependency cycle: a -> b -> c -> a',
      'dag.yaml:6:41: error: tasks.self.depends_on[0]: dependency cycle: self -> self',
    ]);
  });

  it('unknown and repeated depends_on targets', () => {
    const text = yaml`
      dag_id: d
      tasks:
        extract: { operator: empty }
        load: { operator: empty, depends_on: [extarct, extract, extract, zebra] }
    `;
    expect(errors(text)).toEqual([
      "dag.yaml:4:41: error: tasks.load.depends_on[0]: unknown task 'extarct'; did you mean 'extract'?",
      "dag.yaml:4:59: error: tasks.load.depends_on[2]: 'extract' is listed twice",
      "dag.yaml:4:68: error: tasks.load.depends_on[3]: unknown task 'zebra'",
    ]);
  });

  it.each([
    ['"0 25 * * *"', "schedule: bad cron '0 25 * * *': Invalid value for hour: 25"],
    [
      '"0 3 * *"',
      "schedule: bad cron '0 3 * *': expected 5 fields (minute hour day-of-month month day-of-week), got 4",
    ],
    ['"0 0 30 2 *"', "schedule: cron '0 0 30 2 *' never fires"],
    [
      '"@every"',
      "schedule: unknown schedule preset '@every' (use @once, @hourly, @daily, @weekly, @monthly, @quarterly, @yearly, @annually, @midnight)",
    ],
    ['"@dayly"', "schedule: unknown schedule preset '@dayly'; did you mean '@daily'?"],
    [
      '"@continuous"',
      "schedule: schedule '@continuous' is not supported: a serverless workflow has no scheduler loop to restart it; use a cron, a rate(...) or a data trigger",
    ],
    [
      '"rate(0 minutes)"',
      "schedule: bad rate 'rate(0 minutes)': expected rate(N minutes|hours|days) with N >= 1",
    ],
    [
      '"rate(5 seconds)"',
      "schedule: bad rate 'rate(5 seconds)': expected rate(N minutes|hours|days) with N >= 1",
    ],
  ])('schedule %s', (schedule, message) => {
    expect(errors(`dag_id: d\nschedule: ${schedule}\ntasks: {}\n`)).toEqual([
      `dag.yaml:2:11: error: ${message}`,
    ]);
  });

  it('accepts presets, cron, rate and null schedules', () => {
    for (const schedule of [
      'null',
      '"@once"',
      '"@quarterly"',
      '"*/15 9-17 * * 1-5"',
      '"rate(1 day)"',
      '"rate(15 minutes)"',
    ]) {
      expect(errors(`dag_id: d\nschedule: ${schedule}\ntasks: {}\n`)).toEqual([]);
    }
  });

  it('time zones', () => {
    expect(errors('dag_id: d\ntimezone: Europe/Stokholm\ntasks: {}\n')).toEqual([
      "dag.yaml:2:11: error: timezone: unknown time zone 'Europe/Stokholm'; did you mean 'Europe/Stockholm'?",
    ]);
    expect(errors('dag_id: d\ntimezone: UTC\ntasks: {}\n')).toEqual([]);
  });

  it('durations', () => {
    const text = yaml`
      dag_id: d
      default_args: { retry_delay: 5 minutes, execution_timeout: 0s }
      tasks:
        a: { operator: empty, expected_duration: -3 }
        b: { operator: empty, execution_timeout: 5 minutes }
    `;
    expect(errors(text)).toEqual([
      'dag.yaml:2:30: error: default_args.retry_delay: expected a duration such as 500ms, 30s, 10m, 2h, 1d, PT30S, or a number of seconds',
      'dag.yaml:2:60: error: default_args.execution_timeout: must be greater than zero',
      'dag.yaml:4:44: error: tasks.a.expected_duration: must be >= 0, got -3',
      'dag.yaml:5:44: error: tasks.b.execution_timeout: expected a duration such as 500ms, 30s, 10m, 2h, 1d, PT30S, or a number of seconds',
    ]);
  });

  it('dag_id, task id and connection name rules', () => {
    const text = yaml`
      dag_id: Flink WordCount
      connections:
        my conn: { type: none }
      tasks:
        bad.id: { operator: empty }
        ${'x'.repeat(65)}: { operator: empty }
    `;
    expect(errors(text)).toEqual([
      'dag.yaml:1:9: error: dag_id: must be 1..64 characters of a-z, 0-9, _ and -',
      "dag.yaml:3:3: error: connection names must be 1..64 characters of a-z, A-Z, 0-9, _ and -: 'my conn'",
      "dag.yaml:5:3: error: task ids must be 1..64 characters of a-z, A-Z, 0-9, _ and -: 'bad.id'",
      `dag.yaml:6:3: error: task ids must be 1..64 characters of a-z, A-Z, 0-9, _ and -: '${'x'.repeat(65)}'`,
    ]);
  });

  it('Step Functions state machine names stay within 80 characters with the deployment prefix', () => {
    const id = 'a'.repeat(63);
    const text = `dag_id: ${id}\ntasks: {}\n`;
    expect(errors(text)).toEqual([
      `dag.yaml:1:9: error: dag_id: the Step Functions state machine 'airless-prod-repo-${id}' would be 81 characters (at most 80); shorten dag_id to 62`,
    ]);
    expect(loadDag(text, 'dag.yaml', { stateMachinePrefix: 'airless-t-dag-' }).diagnostics).toEqual([]);
  });

  it('HDInsight job names: lowercase letters, digits and - in the literal parts', () => {
    const text = yaml`
      dag_id: d
      tasks:
        ok: { operator: flink.hdinsight, action: STOP, cluster: { subscription: s, resource_group: r, pool: p, name: n }, job_name: "wc-{{ params.Any_Thing }}" }
        bad: { operator: flink.hdinsight, action: STOP, cluster: { subscription: s, resource_group: r, pool: p, name: n }, job_name: "Word_Count {{ run_id }}" }
    `;
    expect(errors(text.replace('{{ params.Any_Thing }}', '{{ run_id }}'))).toEqual([
      "dag.yaml:4:128: error: tasks.bad.job_name: HDInsight job names take lowercase letters, digits and '-' only; found 'W', '_', 'C', ' '",
    ]);
  });

  it('Key Vault secret names after the prefix and the _ -> - mapping', () => {
    const text = yaml`
      dag_id: d
      secrets: { backend: azure_key_vault, vault_url: "https://v.vault.azure.net", variables_prefix: "hdi-" }
      connections:
        ok: { type: azure_client_credentials, tenant_id: { secret: tenant_id }, client_id: x, client_secret: { secret: api_secret } }
        bad: { type: genie_basic, username: u, password: { secret: genie.password } }
        long: { type: genie_basic, username: u, password: { secret: ${'p'.repeat(124)} } }
      tasks: {}
    `;
    expect(errors(text)).toEqual([
      "dag.yaml:5:62: error: connections.bad.password.secret: Key Vault secret name 'hdi-genie.password' must be 1..127 characters of 0-9, a-z, A-Z and '-'",
      `dag.yaml:6:63: error: connections.long.password.secret: Key Vault secret name 'hdi-${'p'.repeat(124)}' must be 1..127 characters of 0-9, a-z, A-Z and '-'`,
    ]);
  });

  it("Key Vault names without a prefix use Airflow's default airflow-variables", () => {
    const text = yaml`
      dag_id: d
      secrets: { backend: azure_key_vault, vault_url: "https://v.vault.azure.net" }
      connections:
        g: { type: genie_basic, username: u, password: { secret: ${'p'.repeat(110)} } }
      tasks: {}
    `;
    expect(errors(text)).toEqual([
      `dag.yaml:4:60: error: connections.g.password.secret: Key Vault secret name 'airflow-variables-${'p'.repeat(110)}' must be 1..127 characters of 0-9, a-z, A-Z and '-'`,
    ]);
    expect(
      errors(
        text.replace('"https://v.vault.azure.net"', '"https://v.vault.azure.net", variables_prefix: ""'),
      ),
    ).toEqual([]);
  });

  it('secret values never inline, and { secret } needs a secrets block', () => {
    const text = yaml`
      dag_id: d
      connections:
        hdi: { type: azure_client_credentials, tenant_id: t, client_id: { secret: cid }, client_secret: s3cr3t }
        genie: { type: genie_basic, username: u }
      tasks: {}
    `;
    expect(errors(text)).toEqual([
      "dag.yaml:3:77: error: connections.hdi.client_id.secret: secret 'cid' needs a 'secrets' block saying where secrets are looked up",
      'dag.yaml:3:99: error: connections.hdi.client_secret: must be { secret: <name> }: secret values never go into a DAG file',
      "dag.yaml:4:3: error: connections.genie: missing required field 'password'",
    ]);
  });

  it('flink.hdinsight: the fields each action needs and uses', () => {
    const text = yaml`
      dag_id: d
      tasks:
        new:
          operator: flink.hdinsight
          action: NEW
          cluster: { subscription: s, resource_group: r, pool: p, name: n }
          job_name: j
          jar_name: a.jar
          savepoint_name: sp
        stop:
          operator: flink.hdinsight
          action: STOP
          job_name: j
          args: --x
          wait_for: RUNNING
    `;
    expect(errors(text)).toEqual([
      "dag.yaml:5:13: error: tasks.new.action: action NEW needs 'jar_directory' and 'entry_class'",
      "dag.yaml:9:5: error: tasks.new.savepoint_name: not used by action NEW (only by 'UPDATE' or 'START')",
      "dag.yaml:10:3: error: tasks.stop: missing required field 'cluster'",
      "dag.yaml:14:5: error: tasks.stop.args: not used by action STOP (only by 'NEW', 'UPDATE' or 'STATELESS_UPDATE')",
      'dag.yaml:15:15: error: tasks.stop.wait_for: action STOP ends the job, so it never becomes RUNNING (use FINISHED or ACCEPTED)',
    ]);
  });

  it('flink.rest: jar_path or jar_id, a job to act on, actions it cannot do', () => {
    const text = yaml`
      dag_id: d
      tasks:
        new: { operator: flink.rest, endpoint: "http://jm:8081", action: NEW, jar_path: a.jar, jar_id: b.jar }
        run: { operator: flink.rest, endpoint: "http://jm:8081", action: NEW, entry_class: Main }
        stop: { operator: flink.rest, endpoint: "http://jm:8081", action: STOP, target_directory: "s3://sp" }
        list: { operator: flink.rest, endpoint: "http://jm:8081", action: LIST_SAVEPOINT, job_id: x }
    `;
    expect(errors(text)).toEqual([
      "dag.yaml:3:68: error: tasks.new.action: action NEW needs 'entry_class'",
      "dag.yaml:3:90: error: tasks.new: give 'jar_path' or 'jar_id', not both",
      "dag.yaml:4:68: error: tasks.run.action: action NEW needs 'jar_path' or 'jar_id'",
      "dag.yaml:5:69: error: tasks.stop.action: action STOP needs 'job_id' or 'job_name'",
      "dag.yaml:6:69: error: tasks.list.action: unknown action 'LIST_SAVEPOINT' (expected 'NEW', 'UPDATE', 'STATELESS_UPDATE', 'LAST_STATE_UPDATE', 'STOP', 'START', 'SAVEPOINT', 'CANCEL' or 'DELETE')",
    ]);
  });

  it('genie: required fields and tag shapes', () => {
    const text = yaml`
      dag_id: d
      tasks:
        g: { operator: genie, cluster_tags: "emr.cluster.role:batch", command_tags: [] }
    `;
    expect(errors(text)).toEqual([
      'dag.yaml:3:3: error: tasks.g: needs a URL to send requests to: set endpoint on the task',
      'dag.yaml:3:39: error: tasks.g.cluster_tags: expected a list of tags, or a list of tag lists tried in order',
      'dag.yaml:3:79: error: tasks.g.command_tags: must not be empty',
    ]);
  });

  it('connections: unknown names, and types that cannot authenticate the operator', () => {
    const text = yaml`
      dag_id: d
      connections:
        hdinsight: { type: azure_default }
      default_args: { connection: hdinsight }
      tasks:
        a: { operator: genie, endpoint: "http://g", cluster_tags: [x], command_tags: [y] }
        b: { operator: genie, endpoint: "http://g", cluster_tags: [x], command_tags: [y], connection: hdinsigt }
        c: { operator: genie, endpoint: "http://g", cluster_tags: [x], command_tags: [y], connection: hdinsight }
        e: { operator: empty }
    `;
    expect(errors(text)).toEqual([
      "dag.yaml:6:3: error: tasks.a: inherits connection 'hdinsight' (azure_default) cannot authenticate genie; it takes 'genie_basic' or 'none' (set connection on the task)",
      "dag.yaml:7:97: error: tasks.b.connection: unknown connection 'hdinsigt'; did you mean 'hdinsight'?",
      "dag.yaml:8:97: error: tasks.c.connection: connection 'hdinsight' (azure_default) cannot authenticate genie; it takes 'genie_basic' or 'none'",
    ]);
  });

  it('template references: params, upstream tasks, operator outputs, syntax', () => {
    const text = yaml`
      dag_id: d
      params: { env: { type: string } }
      tasks:
        a: { operator: genie, endpoint: "http://g", cluster_tags: [x], command_tags: [y] }
        side: { operator: empty }
        b:
          operator: genie
          endpoint: "http://g/{{ params.evn }}"
          cluster_tags: [x]
          command_tags: [y]
          depends_on: [side]
          command_arguments:
            - "{{ tasks.a.output.job_id }}"
            - "{{ tasks.side.output.job_id }} {{ tasks.nope.output.x }}"
            - "{{ ds }} {{ dag_run.conf }} {{ conf }} {{ ds | upper }} {{ unclosed"
        c:
          operator: genie
          endpoint: "http://g"
          cluster_tags: [x]
          command_tags: [y]
          depends_on: [b]
          job_name: "{{ tasks.a.output.job_id }}-{{ tasks.b.output.stauts }}-{{ tasks.b.output.job_id }}"
    `;
    expect(errors(text)).toEqual([
      "dag.yaml:8:25: error: tasks.b.endpoint: unknown param 'evn' in 'params.evn'; did you mean 'env'?",
      "dag.yaml:13:10: error: tasks.b.command_arguments[0]: 'tasks.a.output.job_id': task 'a' is not upstream of 'b' (add it to depends_on, directly or through another task)",
      "dag.yaml:14:10: error: tasks.b.command_arguments[1]: 'tasks.side.output.job_id': operator empty has no output",
      "dag.yaml:14:41: error: tasks.b.command_arguments[1]: 'tasks.nope.output.x': unknown task 'nope'",
      "dag.yaml:15:19: error: tasks.b.command_arguments[2]: unknown template variable 'dag_run' (templates may use 'dag_id', 'run_id', 'task_id', 'ds', 'ds_nodash', 'ts', 'logical_date', 'params.X', 'conf.X' or 'tasks.<id>.output.<field>')",
      'dag.yaml:15:38: error: tasks.b.command_arguments[2]: use {{ conf.<key> }}, not {{ conf }}',
      "dag.yaml:15:49: error: tasks.b.command_arguments[2]: templates hold only a dotted path such as {{ params.name }}, not 'ds | upper'",
      "dag.yaml:15:66: error: tasks.b.command_arguments[2]: unclosed '{{' (a template is {{ dotted.path }})",
      "dag.yaml:22:16: error: tasks.c.job_name: 'tasks.a.output.job_id': task 'a' is not upstream of 'c' (add it to depends_on, directly or through another task)",
      "dag.yaml:22:44: error: tasks.c.job_name: 'tasks.b.output.stauts': operator genie has no output 'stauts'; did you mean 'status'? (it has 'cluster_name', 'command_name', 'job_id', 'job_name', 'status' or 'status_msg')",
    ]);
  });

  it('an unquoted template is a YAML mapping: ask for quotes', () => {
    const text = yaml`
      dag_id: d
      tasks:
        g: { operator: genie, endpoint: http://g, cluster_tags: [x], command_tags: [y], job_name: {{ run_id }} }
    `;
    expect(errors(text)).toEqual([
      'dag.yaml:3:93: error: tasks.g.job_name: quote a string that starts with a template: "{{ ... }}" (unquoted, YAML reads {{ }} as a mapping)',
    ]);
  });

  it('templates reach upstream outputs transitively', () => {
    const text = yaml`
      dag_id: d
      tasks:
        a: { operator: genie, endpoint: "http://g", cluster_tags: [x], command_tags: [y] }
        b: { operator: empty, depends_on: [a] }
        c: { operator: genie, endpoint: "http://g/{{ tasks.a.output.job_id }}", cluster_tags: [x], command_tags: [y], depends_on: [b] }
    `;
    expect(errors(text)).toEqual([]);
  });

  it('templates outside task fields are not rendered', () => {
    const text = yaml`
      dag_id: d
      connections:
        c: { type: genie_basic, username: "{{ params.user }}", password: { secret: p } }
      secrets: { backend: env }
      tasks: {}
    `;
    expect(errors(text)).toEqual([
      'dag.yaml:3:38: error: connections.c.username: templates are only rendered in task fields',
    ]);
  });

  it('params: a default must fit its own type and enum', () => {
    const text = yaml`
      dag_id: d
      params:
        n: { type: integer, default: "5" }
        e: { type: string, enum: [a, b], default: c }
        t: { type: strin }
        my.param: { type: string }
      tasks: {}
    `;
    expect(errors(text)).toEqual([
      "dag.yaml:3:32: error: params.n.default: default '5' must be of type integer, got string",
      'dag.yaml:4:45: error: params.e.default: default \'c\' must be one of ["a","b"]',
      "dag.yaml:5:14: error: params.t.type: unknown type 'strin'; did you mean 'string'?",
      "dag.yaml:6:3: error: param names must be letters, digits, _ and - (read as {{ params.<name> }}): 'my.param'",
    ]);
  });

  it('a scheduled DAG needs a default for every param that is not nullable (as Airflow)', () => {
    const text = yaml`
      dag_id: d
      schedule: "@daily"
      params:
        env: { type: string }
        date: { type: string, default: "2026-01-01" }
        note: { type: [string, "null"] }
      tasks: {}
    `;
    expect(errors(text)).toEqual([
      "dag.yaml:4:3: error: params.env: needs a default: scheduled runs (schedule '@daily') start without conf",
    ]);
    expect(errors(text.replace('"@daily"', 'null'))).toEqual([]);
  });

  it('poke_interval must not exceed max_poke_interval (set, inherited or default)', () => {
    const text = yaml`
      dag_id: d
      default_args: { max_poke_interval: 1m, poke_interval: 2m }
      tasks:
        a: { operator: genie, endpoint: "http://g", cluster_tags: [x], command_tags: [y], poke_interval: 5m }
        b: { operator: genie, endpoint: "http://g", cluster_tags: [x], command_tags: [y], max_poke_interval: 30s }
        c: { operator: genie, endpoint: "http://g", cluster_tags: [x], command_tags: [y] }
    `;
    expect(errors(text)).toEqual([
      'dag.yaml:2:55: error: default_args: poke_interval (120s) is longer than max_poke_interval (60s)',
      'dag.yaml:4:100: error: tasks.a: poke_interval (300s) is longer than max_poke_interval (60s from default_args)',
      'dag.yaml:5:104: error: tasks.b: poke_interval (120s from default_args) is longer than max_poke_interval (30s)',
    ]);
    expect(
      errors(
        'dag_id: d\ntasks:\n  g: { operator: genie, endpoint: e, cluster_tags: [x], command_tags: [y], poke_interval: 10m }\n',
      ),
    ).toEqual([
      'dag.yaml:3:91: error: tasks.g: poke_interval (600s) is longer than max_poke_interval (300s, the default)',
    ]);
  });

  it('data triggers are strict', () => {
    const text = yaml`
      dag_id: d
      triggers:
        - s3: { bucket: b, prefx: in/ }
        - sqs: { queue: q }
      tasks: {}
    `;
    expect(errors(text)).toEqual([
      "dag.yaml:3:22: error: triggers[0].s3: unknown key 'prefx'; did you mean 'prefix'?",
      'dag.yaml:4:5: error: triggers[1]: give exactly one of s3 or blob',
      "dag.yaml:4:5: error: triggers[1]: unknown key 'sqs'; did you mean 's3'?",
    ]);
  });

  it('CRLF line ends and a byte-order mark do not shift positions', () => {
    const text = 'dag_id: d\ntasks:\n  a: { operator: empty, retires: 1 }\n';
    const expected = [
      "dag.yaml:3:25: error: tasks.a: unknown key 'retires' for operator empty; did you mean 'retries'?",
    ];
    expect(errors(text.replaceAll('\n', '\r\n'))).toEqual(expected);
    expect(errors(`\uFEFF${text}`)).toEqual(expected);
    expect(errors('\uFEFF{ "dag_id": "d", "tasks": { "a": { "operator": "emty" } } }')).toEqual([
      "dag.yaml:1:48: error: tasks.a.operator: unknown operator 'emty'; did you mean 'empty'?",
    ]);
  });

  it('JSON files get the same positions', () => {
    const text =
      '{\n  "dag_id": "d",\n  "tasks": {\n    "a": { "operator": "empty", "depends_on": ["b"] }\n  }\n}\n';
    expect(errors(text, 'dag.json')).toEqual([
      "dag.json:4:48: error: tasks.a.depends_on[0]: unknown task 'b'",
    ]);
  });
});

describe('loadDag: a file with many problems reports them all, in order', () => {
  it('reports every problem of a broken word-count DAG', () => {
    const broken = fixture('flink_wordcount.yaml')
      .replace('dag_id: flink_wordcount', 'dag_id: Flink_WordCount')
      .replace('timezone: UTC', 'timezone: Mars/Olympus')
      .replace('retry_delay: 30s', 'retry_delay: 30 s')
      .replace('type: azure_client_credentials', 'type: azure_client_credential')
      .replace('action: NEW', 'action: NEWW')
      .replace('depends_on: [submit_wordcount]', 'depends_on: [submit_wordcont]')
      .replace('"{{ params.jarName }}"', '"{{ params.jar_name }}"');
    expect(errors(broken, 'flink_wordcount.yaml')).toEqual([
      'flink_wordcount.yaml:1:9: error: dag_id: must be 1..64 characters of a-z, 0-9, _ and -',
      "flink_wordcount.yaml:5:11: error: timezone: unknown time zone 'Mars/Olympus'",
      'flink_wordcount.yaml:17:16: error: default_args.retry_delay: expected a duration such as 500ms, 30s, 10m, 2h, 1d, PT30S, or a number of seconds',
      "flink_wordcount.yaml:23:11: error: connections.hdinsight.type: unknown type 'azure_client_credential'; did you mean 'azure_client_credentials'?",
      "flink_wordcount.yaml:34:13: error: tasks.submit_wordcount.action: unknown action 'NEWW'; did you mean 'NEW'?",
      "flink_wordcount.yaml:44:16: error: tasks.submit_wordcount.jar_name: unknown param 'jar_name' in 'params.jar_name'; did you mean 'jarName'?",
      "flink_wordcount.yaml:55:18: error: tasks.report.depends_on[0]: unknown task 'submit_wordcont'; did you mean 'submit_wordcount'?",
    ]);
  });
});
