import { OPERATORS } from './operators/index.ts';
import type { OperatorName } from './operators/index.ts';
import { checkActionFields, checkHdinsightJobName } from './action-rules.ts';
import { checkConnections, checkSecretRefs } from './connection-checks.ts';
import { DEFAULTS } from './defaults.ts';
import { capDiagnostics, sortDiagnostics, Suggester } from './diagnostics.ts';
import type { Diagnostic } from './diagnostics.ts';
import { parseDuration } from './durations.ts';
import { buildGraph, findCycles, upstreamQuery } from './graph.ts';
import { parseFile } from './parse.ts';
import type { Path } from './parse.ts';
import { isRecord, labelled, Report } from './report.ts';
import { isTimeZone, parseSchedule } from './schedule.ts';
import { dagDateInstant, parseDagDate } from './zoned-time.ts';
import { checkParamValue, paramSchemaProblems } from './params.ts';
import { DagSchema, ParamSchema } from './schema.ts';
import type { DagDocument } from './schema.ts';
import { describe, reportSchemaIssues } from './schema-issues.ts';
import { checkReference, parseTemplate, walkStrings } from './templates.ts';
import type { ReferenceScope } from './templates.ts';

export interface LoadResult {
  /** The document when it has no problem at all, else null. */
  dag: DagDocument | null;
  /** Every problem found, sorted by position. */
  diagnostics: Diagnostic[];
}

/** Step Functions' limit on a state machine name (and on a state name). */
export const STEP_FUNCTIONS_NAME_MAX = 80;

export interface LoadOptions {
  /**
   * What the deployment puts before dag_id in the state machine name (serverless.yml:
   * `<service>-<stage>-dag-` or `-repo-`); the name must stay within STEP_FUNCTIONS_NAME_MAX.
   */
  stateMachinePrefix?: string;
}

/** The longer of serverless.yml's two prefixes, for stage `prod`. */
export const DEFAULT_STATE_MACHINE_PREFIX = 'airless-prod-repo-';

/**
 * Parses and validates one DAG file, reporting every problem at once. Never throws: whatever the
 * input, the answer is a list of diagnostics.
 */
export function loadDag(text: string, file: string, options: LoadOptions = {}): LoadResult {
  try {
    return load(text, file, options.stateMachinePrefix ?? DEFAULT_STATE_MACHINE_PREFIX);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      dag: null,
      diagnostics: [{ file, line: 1, col: 1, path: [], message: `internal error: ${reason}` }],
    };
  }
}

function load(text: string, file: string, stateMachinePrefix: string): LoadResult {
  const parsed = parseFile(text, file);
  const report = new Report(parsed);
  // One push at a time: a file can hold more YAML errors than a call takes arguments.
  for (const d of parsed.diagnostics) report.diagnostics.push(d);
  const document = parsed.value;
  if (!isRecord(document)) {
    if (document === undefined && parsed.diagnostics.length > 0) {
      return { dag: null, diagnostics: capDiagnostics(sortDiagnostics(report.diagnostics)) };
    }
    report.at(
      [],
      `a DAG file is a mapping with at least dag_id and tasks, got ${describe(document ?? null)}`,
    );
    return { dag: null, diagnostics: sortDiagnostics(report.diagnostics) };
  }
  reportReservedKeys(document, report);
  const result = DagSchema.safeParse(document, { reportInput: true });
  if (!result.success) reportSchemaIssues(result.error.issues, document, report);
  checkDocument(document, report);
  checkStateMachineName(document.dag_id, stateMachinePrefix, report);
  const diagnostics = sortDiagnostics(report.diagnostics);
  return {
    dag: result.success && diagnostics.length === 0 ? result.data : null,
    diagnostics: capDiagnostics(diagnostics),
  };
}

/**
 * `__proto__` is no name JavaScript objects can hold as data: zod and every plain-object map after it
 * would read it as the object's prototype. Refused wherever it is a key, each at its own line.
 */
function reportReservedKeys(document: Record<string, unknown>, report: Report): void {
  const todo: Array<[value: unknown, path: Path]> = [[document, []]];
  while (todo.length > 0) {
    const [value, path] = todo.pop()!;
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (item !== null && typeof item === 'object') todo.push([item, [...path, i]]);
      });
    } else if (isRecord(value)) {
      for (const key of Object.keys(value)) {
        if (key === '__proto__') {
          const where = [...path, key];
          report.at(
            where,
            labelled(path, "'__proto__' is reserved (JavaScript reads it as an object's prototype)"),
            { key: true },
          );
        } else if (value[key] !== null && typeof value[key] === 'object')
          todo.push([value[key], [...path, key]]);
      }
    }
  }
}

function checkStateMachineName(dagId: unknown, prefix: string, report: Report): void {
  if (typeof dagId !== 'string' || prefix.length + dagId.length <= STEP_FUNCTIONS_NAME_MAX) return;
  report.at(
    ['dag_id'],
    `dag_id: the Step Functions state machine '${prefix}${dagId}' would be ${prefix.length + dagId.length} characters (at most ${STEP_FUNCTIONS_NAME_MAX}); shorten dag_id to ${STEP_FUNCTIONS_NAME_MAX - prefix.length}`,
  );
}

/** Rules that relate fields to each other; run on the raw data so one bad task hides nothing else. */
function checkDocument(doc: Record<string, unknown>, report: Report): void {
  const tasks = isRecord(doc.tasks) ? doc.tasks : {};
  const operators = new Map<string, OperatorName>();
  for (const [id, task] of Object.entries(tasks)) {
    if (isRecord(task) && (OPERATORS as readonly unknown[]).includes(task.operator)) {
      operators.set(id, task.operator as OperatorName);
    }
  }
  const isUpstream = checkDependencies(tasks, report);
  checkConnections(doc, tasks, operators, report);
  checkSecretRefs(doc, report);
  checkParams(doc, report);
  checkDates(doc, report);
  const params = new Set(isRecord(doc.params) ? Object.keys(doc.params) : []);
  const paramNames = new Suggester([...params]);
  const taskIds = new Suggester([...operators.keys()]);
  const defaults = isRecord(doc.default_args) ? doc.default_args : {};
  for (const [id, task] of Object.entries(tasks)) {
    if (!isRecord(task)) continue;
    const path = ['tasks', id];
    const operator = operators.get(id);
    if (operator === 'flink.hdinsight' || operator === 'flink.rest')
      checkActionFields(task, path, operator, report);
    if (operator === 'flink.hdinsight' && typeof task.job_name === 'string') {
      const literal = parseTemplate(task.job_name)
        .parts.map((p) => ('text' in p ? p.text : ''))
        .join('');
      checkHdinsightJobName(literal, [...path, 'job_name'], report);
    }
    if (operator !== undefined && operator !== 'empty') checkPolling(task, defaults, path, report);
    checkTaskTemplates(
      task,
      path,
      { params, paramNames, operators, taskIds, isUpstream: (a) => isUpstream(a, id), taskId: id },
      report,
    );
  }
  checkPolling(defaults, {}, ['default_args'], report);
  checkTemplatesOutsideTasks(doc, report);
}

/** depends_on targets, duplicates and cycles; returns the upstream test templates need. */
function checkDependencies(
  tasks: Record<string, unknown>,
  report: Report,
): (ancestor: string, task: string) => boolean {
  const edges: Array<[string, string]> = [];
  const ids = Object.keys(tasks);
  const suggester = new Suggester(ids);
  for (const [id, task] of Object.entries(tasks)) {
    if (!isRecord(task) || !Array.isArray(task.depends_on)) continue;
    const seen = new Set<string>();
    task.depends_on.forEach((dep: unknown, i) => {
      if (typeof dep !== 'string') return;
      const path = ['tasks', id, 'depends_on', i];
      if (seen.has(dep)) report.at(path, labelled(path, `'${dep}' is listed twice`));
      else if (!Object.prototype.hasOwnProperty.call(tasks, dep)) {
        report.at(path, labelled(path, `unknown task '${dep}'${suggester.hint(dep)}`));
      } else edges.push([dep, id]);
      seen.add(dep);
    });
  }
  const graph = buildGraph(ids, edges);
  for (const cycle of findCycles(graph)) {
    const [from, to] = cycle as [string, string];
    const deps = (tasks[to] as { depends_on: unknown[] }).depends_on;
    const path = ['tasks', to, 'depends_on', deps.indexOf(from)];
    report.at(path, labelled(path, `dependency cycle: ${cycle.join(' -> ')}`));
  }
  return upstreamQuery(graph);
}

/**
 * start_date must not come after end_date (compared as instants in the DAG's time zone), and catchup
 * needs a repeating schedule and a start_date to count missed intervals from.
 */
function checkDates(doc: Record<string, unknown>, report: Report): void {
  const zone =
    typeof doc.timezone === 'string' && isTimeZone(doc.timezone) ? doc.timezone : DEFAULTS.timezone;
  const instant = (field: string): number | null => {
    if (typeof doc[field] !== 'string') return null;
    const parsed = parseDagDate(doc[field]);
    return parsed.kind === 'invalid' ? null : dagDateInstant(parsed, zone);
  };
  const [start, end] = [instant('start_date'), instant('end_date')];
  if (start !== null && end !== null && end < start) {
    report.at(
      ['end_date'],
      labelled(['end_date'], `${String(doc.end_date)} is before start_date ${String(doc.start_date)}`),
    );
  }
  if (doc.catchup !== true) return;
  const schedule = doc.schedule === undefined || doc.schedule === null ? null : doc.schedule;
  const parsed = typeof schedule === 'string' || schedule === null ? parseSchedule(schedule) : null;
  if (parsed?.ok === true && parsed.schedule.kind === 'none') {
    report.at(
      ['catchup'],
      labelled(
        ['catchup'],
        'true needs a schedule (a cron, a preset or rate(...)): there are no missed intervals without one',
      ),
    );
  }
  if (doc.start_date === undefined) {
    report.at(
      ['catchup'],
      labelled(['catchup'], 'true needs a start_date: missed intervals are counted from it'),
    );
  }
}

/**
 * Each param's schema must be one the run API can apply (a pattern it matches in linear time, a
 * known format, bounds that leave some value), and its default must pass the same checker a
 * triggered run's conf goes through.
 */
function checkParams(doc: Record<string, unknown>, report: Report): void {
  if (!isRecord(doc.params)) return;
  const scheduled = typeof doc.schedule === 'string';
  for (const [name, param] of Object.entries(doc.params)) {
    if (!isRecord(param)) continue;
    const problems = paramSchemaProblems(param);
    for (const { path, message } of problems) {
      const at = ['params', name, ...path];
      report.at(at, labelled(at, message));
    }
    if (!('default' in param)) {
      const types = (Array.isArray(param.type) ? param.type : [param.type]).filter(
        (t): t is string => typeof t === 'string',
      );
      // As Airflow: a param is required unless its type admits null, and scheduled runs carry no conf.
      if (scheduled && !types.includes('null')) {
        report.at(
          ['params', name],
          labelled(
            ['params', name],
            `needs a default: scheduled runs (schedule '${String(doc.schedule)}') start without conf`,
          ),
          { key: true },
        );
      }
      continue;
    }
    if (problems.length > 0 || !ParamSchema.safeParse(param).success) continue;
    const path = ['params', name, 'default'];
    for (const problem of checkParamValue(param.default, param)) {
      report.at(path, labelled(path, `default ${describe(param.default)} ${problem}`));
    }
  }
}

/**
 * The first poll must not wait longer than the cap on the wait between polls. Checked where a value
 * is set (a task, or default_args once), against the value that applies to the other one.
 */
function checkPolling(
  own: Record<string, unknown>,
  inherited: Record<string, unknown>,
  path: Path,
  report: Report,
): void {
  if (own.poke_interval === undefined && own.max_poke_interval === undefined) return;
  const seconds = (value: unknown): number | undefined =>
    typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
  const pick = (
    field: 'poke_interval' | 'max_poke_interval',
    fallback: number,
  ): [number | undefined, string] => {
    if (own[field] !== undefined) return [seconds(own[field]), ''];
    if (inherited[field] !== undefined) return [seconds(inherited[field]), ' from default_args'];
    return [fallback, ', the default'];
  };
  const [poke, pokeFrom] = pick('poke_interval', DEFAULTS.poke_interval_s);
  const [cap, capFrom] = pick('max_poke_interval', DEFAULTS.max_poke_interval_s);
  if (poke === undefined || cap === undefined || poke <= cap) return;
  const where = [...path, own.poke_interval !== undefined ? 'poke_interval' : 'max_poke_interval'];
  report.at(
    where,
    labelled(
      path,
      `poke_interval (${poke}s${pokeFrom}) is longer than max_poke_interval (${cap}s${capFrom})`,
    ),
  );
}

/** Task fields that are never templates. */
export const NOT_TEMPLATED = new Set(['doc', 'depends_on', 'operator', 'trigger_rule', 'connection']);

function checkTaskTemplates(
  task: Record<string, unknown>,
  path: Path,
  scope: ReferenceScope,
  report: Report,
): void {
  for (const [field, value] of Object.entries(task)) {
    if (NOT_TEMPLATED.has(field)) continue;
    walkStrings(value, [...path, field], (text, at) => {
      const { parts, errors } = parseTemplate(text);
      for (const error of errors) report.within(at, error.raw, labelled(at, error.message), error.index);
      for (const part of parts) {
        if (!('ref' in part)) continue;
        const problem = checkReference(part.segments, scope);
        if (problem) report.within(at, part.raw, labelled(at, problem), part.index);
      }
    });
  }
}

/** Only task fields are rendered; a template anywhere else would reach the cloud verbatim. */
function checkTemplatesOutsideTasks(doc: Record<string, unknown>, report: Report): void {
  for (const section of [
    'connections',
    'secrets',
    'triggers',
    'default_args',
    'schedule',
    'timezone',
    'dag_id',
  ]) {
    walkStrings(doc[section], [section], (_text, at) => {
      const why =
        section === 'connections' && at[2] === 'host'
          ? "templates are only rendered in task fields: the host a connection's credentials go to is fixed in the DAG file, never taken from a run's params or conf"
          : 'templates are only rendered in task fields';
      report.within(at, '{{', labelled(at, why));
    });
  }
}
