import { oneOf } from './diagnostics.ts';
import { labelled } from './report.ts';
import type { Report } from './report.ts';
import type { ActionRule, OperatorDefinition } from './operators/definition.ts';
import { OPERATOR_DEFINITIONS, operatorDefinition, type OperatorName } from './operators/index.ts';

const quoteNeed = (names: readonly string[]): string => (names.length === 1 ? `'${names[0]}'` : oneOf(names));

/** The operator's fields some action needs or uses, in the order the operator declares them. */
function actionFieldsOf(definition: OperatorDefinition): string[] {
  const named = new Set(
    Object.values<ActionRule>(definition.actions ?? {}).flatMap((r) => [...r.needs.flat(), ...r.uses]),
  );
  return Object.keys(definition.fields).filter((f) => named.has(f));
}
const ACTION_FIELDS: ReadonlyMap<string, string[]> = new Map(
  OPERATOR_DEFINITIONS.map((d) => [d.name, actionFieldsOf(d)]),
);

/** Checks the fields of a task whose operator has actions (flink.hdinsight, flink.rest) against its action. */
export function checkActionFields(
  task: Record<string, unknown>,
  path: readonly (string | number)[],
  operator: OperatorName,
  report: Report,
): void {
  const definition = operatorDefinition(operator);
  const rules: Readonly<Record<string, ActionRule>> = definition.actions ?? {};
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
  for (const name of ACTION_FIELDS.get(operator)!) {
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
