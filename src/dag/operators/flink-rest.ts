import { z } from 'zod';
import { about, HttpEndpoint, IntOrTemplate, NonEmpty, StringOrList } from '../field-types.ts';
import { actionNames, type ActionRule, type OperatorDefinition } from './definition.ts';

const JAR = ['jar_path', 'jar_id'];
const JOB = ['job_id', 'job_name'];

/**
 * The abstract Flink actions a self-managed JobManager's REST API can carry out, and the fields each
 * needs and uses (the URL is checked with the connection: connection-checks.ts).
 */
const actions = {
  NEW: {
    needs: [JAR, ['entry_class']],
    uses: ['job_name', 'args', 'parallelism', 'savepoint_path', 'allow_non_restored_state'],
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
  START: {
    needs: [JAR, ['entry_class'], ['savepoint_path']],
    uses: ['job_name', 'args', 'parallelism', 'allow_non_restored_state'],
  },
  SAVEPOINT: { needs: [JOB], uses: ['target_directory'] },
  CANCEL: { needs: [JOB], uses: [], endsJob: true },
  DELETE: { needs: [JOB], uses: ['jar_id'], endsJob: true },
} satisfies Record<string, ActionRule>;

type FlinkRestAction = keyof typeof actions;
const FLINK_REST_ACTIONS = actionNames(actions);

/** A Flink job on any JobManager, through Flink's REST API. */
export const flinkRest = {
  name: 'flink.rest',
  fields: {
    endpoint: about(
      NonEmpty,
      "Base URL of the Flink JobManager REST API, e.g. http://jobmanager:8081; or the connection's host.",
    ).optional(),
    action: about(z.enum(FLINK_REST_ACTIONS), 'The Flink job action.'),
    jar_path: about(NonEmpty, 'A jar file to upload (NEW, START, updates).').optional(),
    jar_id: about(NonEmpty, 'The id of a jar already uploaded (instead of jar_path).').optional(),
    job_id: about(NonEmpty, 'The Flink job id an action applies to.').optional(),
    job_name: about(
      NonEmpty,
      'The job name: the job an action applies to, or the name NEW/START give.',
    ).optional(),
    entry_class: about(NonEmpty, 'Main class.').optional(),
    args: about(StringOrList, 'Program arguments: a list, or one space-separated string.').optional(),
    parallelism: about(IntOrTemplate, 'Job parallelism.').optional(),
    savepoint_path: about(NonEmpty, 'Savepoint to restore from (START, NEW).').optional(),
    target_directory: about(NonEmpty, 'Where STOP, SAVEPOINT and UPDATE write the savepoint.').optional(),
    allow_non_restored_state: about(
      z.boolean(),
      'Start even if some savepoint state maps to no operator.',
    ).optional(),
  },
  rendered: {
    endpoint: HttpEndpoint.optional(),
    jar_path: z
      .string()
      .regex(/^(?!.*(^|\/)\.\.(\/|$)).+\.jar$/, { error: 'must be a path to a .jar file, without ..' })
      .optional(),
    jar_id: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+\.jar$/, { error: 'must be the id of an uploaded jar' })
      .optional(),
    job_id: z
      .string()
      .regex(/^[0-9a-f]{32}$/, { error: 'must be a 32-hex Flink job id' })
      .optional(),
    parallelism: z.coerce.number().int().positive().optional(),
  },
  job: true,
  outputs: ['jar_id', 'job_id', 'job_name', 'last_savepoint', 'status'],
  connectionTypes: ['none'],
  actions,
  notes: [
    '`jar_path` is a file the task handler reads at submit time from its own file system and uploads',
    'to the JobManager (`POST /jars/upload`): on AWS Lambda a path inside the deployed package',
    '(`/var/task/...`) or a mounted EFS file system, on Azure Functions a path in the function app',
    '(for example under `/home/site/wwwroot`) or a mounted Azure Files share, and with `airless run` a',
    'path relative to where it runs. It must end in `.jar` and hold no `..`.',
    '`jar_id` names a jar already on the JobManager: upload it once yourself',
    '(`curl -F jarfile=@app.jar http://jobmanager:8081/jars/upload` answers',
    '`{"filename": ".../<id>_app.jar"}`; the id is the last path segment), or let an upstream task',
    'with `jar_path` upload it and read `{{ tasks.<that task>.output.jar_id }}`.',
  ],
} as const satisfies OperatorDefinition<'flink.rest', z.ZodRawShape, z.ZodRawShape, FlinkRestAction>;
