import { oneOf } from './diagnostics.ts';
import { labelled } from './report.ts';
import type { Report } from './report.ts';

/**
 * Which fields each Flink action needs and which it uses. A field an action does not use is an error:
 * it would be silently dropped on the wire, which hides a mistake (flink-job-apis.md §1.3-1.4, §2).
 */
interface ActionRule {
  /** Each entry is required; an entry with several names means exactly one of them. */
  needs: ReadonlyArray<readonly string[]>;
  /** Optional fields the action uses. */
  uses: readonly string[];
  /** The action ends the job: waiting for RUNNING afterwards can never succeed. */
  endsJob?: boolean;
}

/** flink.hdinsight fields that depend on the action (cluster and job_name are always required). */
const HDINSIGHT_FIELDS = [
  'jar_directory',
  'jar_name',
  'entry_class',
  'args',
  'savepoint_name',
  'flink_configuration',
];
const JAR_FIELDS = ['jar_directory', 'jar_name', 'entry_class', 'args', 'flink_configuration'];

export const HDINSIGHT_RULES: Readonly<Record<string, ActionRule>> = {
  NEW: { needs: [['jar_directory'], ['jar_name'], ['entry_class']], uses: ['args', 'flink_configuration'] },
  UPDATE: { needs: [], uses: [...JAR_FIELDS, 'savepoint_name'] },
  STATELESS_UPDATE: { needs: [], uses: JAR_FIELDS },
  LAST_STATE_UPDATE: { needs: [], uses: [] },
  START: { needs: [], uses: ['savepoint_name'] },
  STOP: { needs: [], uses: [], endsJob: true },
  SAVEPOINT: { needs: [], uses: [] },
  LIST_SAVEPOINT: { needs: [], uses: [] },
  CANCEL: { needs: [], uses: [], endsJob: true },
  DELETE: { needs: [], uses: [], endsJob: true },
  RE_LAUNCH: { needs: [], uses: [] },
};

/** flink.rest fields that depend on the action (the URL is checked with the connection: connection-checks.ts). */
const REST_FIELDS = [
  'jar_path',
  'jar_id',
  'job_id',
  'job_name',
  'entry_class',
  'args',
  'parallelism',
  'savepoint_path',
  'target_directory',
  'allow_non_restored_state',
];
const JAR = ['jar_path', 'jar_id'];
const JOB = ['job_id', 'job_name'];

export const REST_RULES: Readonly<Record<string, ActionRule>> = {
  NEW: {
    needs: [JAR, ['entry_class']],
    uses: ['job_name', 'args', 'parallelism', 'savepoint_path', 'allow_non_restored_state'],
  },
  START: {
    needs: [JAR, ['entry_class'], ['savepoint_path']],
    uses: ['job_name', 'args', 'parallelism', 'allow_non_restored_state'],
  },
  UPDATE: {
    needs: [JOB, JAR],
    uses: ['entry_class', 'args', 'parallelism', 'target_directory', 'allow_non_restored_state'],
  },
  STATELESS_UPDATE: { needs: [JOB, JAR], uses: ['entry_class', 'args', 'parallelism'] },
  LAST_STATE_UPDATE: {
    needs: [JOB, JAR],
    uses: ['entry_class', 'args', 'parallelism', 'allow_non_restored_state'],
  },
  STOP: { needs: [JOB], uses: ['target_directory'], endsJob: true },
  SAVEPOINT: { needs: [JOB], uses: ['target_directory'] },
  CANCEL: { needs: [JOB], uses: [], endsJob: true },
  DELETE: { needs: [JOB], uses: ['jar_id'], endsJob: true },
};

const quoteNeed = (names: readonly string[]): string => (names.length === 1 ? `'${names[0]}'` : oneOf(names));

/** Checks one flink.hdinsight or flink.rest task's fields against its action. */
export function checkActionFields(
  task: Record<string, unknown>,
  path: readonly (string | number)[],
  operator: 'flink.hdinsight' | 'flink.rest',
  report: Report,
): void {
  const [rules, actionFields] =
    operator === 'flink.hdinsight' ? [HDINSIGHT_RULES, HDINSIGHT_FIELDS] : [REST_RULES, REST_FIELDS];
  const action = task.action;
  // An unknown action is reported by the schema.
  if (typeof action !== 'string' || !Object.prototype.hasOwnProperty.call(rules, action)) return;
  const rule = rules[action]!;
  const present = (name: string): boolean => task[name] !== undefined;

  const missing = rule.needs.filter((group) => !group.some(present)).map(quoteNeed);
  if (missing.length > 0) {
    report.at(
      [...path, 'action'],
      labelled([...path, 'action'], `action ${action} needs ${missing.join(' and ')}`),
    );
  }
  for (const group of rule.needs) {
    const given = group.filter(present);
    if (given.length > 1) {
      report.at([...path, given[1]!], labelled(path, `give ${oneOf(group)}, not both`), { key: true });
    }
  }
  const allowed = new Set([...rule.needs.flat(), ...rule.uses]);
  for (const name of actionFields) {
    if (!present(name) || allowed.has(name)) continue;
    const users = Object.entries(rules)
      .filter(([, r]) => r.uses.includes(name) || r.needs.some((g) => g.includes(name)))
      .map(([a]) => a);
    report.at(
      [...path, name],
      labelled([...path, name], `not used by action ${action} (only by ${oneOf(users)})`),
      { key: true },
    );
  }
  if (rule.endsJob && task.wait_for === 'RUNNING') {
    report.at(
      [...path, 'wait_for'],
      labelled(
        [...path, 'wait_for'],
        `action ${action} ends the job, so it never becomes RUNNING (use FINISHED or ACCEPTED)`,
      ),
    );
  }
}

const HDINSIGHT_JOB_NAME_CHAR = /[a-z0-9-]/;

/** HDInsight on AKS job names are lowercase letters, digits and '-': check the literal parts. */
export function checkHdinsightJobName(
  literalText: string,
  path: readonly (string | number)[],
  report: Report,
): void {
  const bad = [...new Set([...literalText].filter((c) => !HDINSIGHT_JOB_NAME_CHAR.test(c)))];
  if (bad.length === 0) return;
  report.at(
    path,
    labelled(
      path,
      `HDInsight job names take lowercase letters, digits and '-' only; found ${bad.map((c) => `'${c}'`).join(', ')}`,
    ),
  );
}
