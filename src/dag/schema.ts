import { z } from 'zod';
import { HDINSIGHT_ACTIONS, TRIGGER_RULES, WAIT_FOR } from '../compiler/ir.ts';
import { DURATION_HINT, DURATION_PATTERN, parseDuration } from './durations.ts';
import { didYouMean, oneOf } from './diagnostics.ts';
import { isTimeZone, knownTimeZones, parseSchedule } from './schedule.ts';

/**
 * The DAG file format, version 1 (shared/design/DAG-FORMAT.md), as a zod schema. Every object is
 * strict: an unknown key is an error, never silently ignored. The schema checks each field on its
 * own (types, enums, id patterns, durations, cron, time zone); rules that relate fields to each other
 * (depends_on targets, cycles, action -> required fields, templates, connections) live in
 * validate.ts. No defaults are applied here: see defaults.ts.
 */

export const DAG_ID_PATTERN = /^[a-z0-9_-]{1,64}$/;
export const TASK_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
/** Connection names: the same alphabet as task ids. */
export const CONNECTION_NAME_PATTERN = TASK_ID_PATTERN;

export const CONNECTION_TYPES = [
  'azure_client_credentials',
  'azure_managed_identity',
  'azure_default',
  'genie_basic',
  'none',
] as const;
/** The abstract Flink actions a self-managed JobManager's REST API can carry out. */
export const FLINK_REST_ACTIONS = [
  'NEW',
  'UPDATE',
  'STATELESS_UPDATE',
  'LAST_STATE_UPDATE',
  'STOP',
  'START',
  'SAVEPOINT',
  'CANCEL',
  'DELETE',
] as const;
export const PARAM_TYPES = ['string', 'integer', 'number', 'boolean', 'array', 'object', 'null'] as const;

export const Duration = z.union(
  [
    z.number().nonnegative(),
    z.string().regex(new RegExp(DURATION_PATTERN), { error: `expected ${DURATION_HINT}` }),
  ],
  { error: `expected ${DURATION_HINT}` },
);
/** A duration that must be more than zero (polling intervals, timeouts). */
const PositiveDuration = Duration.refine((v) => (parseDuration(v) ?? 0) > 0, {
  error: 'must be greater than zero',
});

const NonEmpty = z.string().min(1);
const StringOrList = z.union([z.string(), z.array(z.string())], {
  error: 'expected a string or a list of strings',
});

export const SecretRef = z.strictObject({ secret: NonEmpty });
/** A plain string, or a reference to a secret looked up at run time through `secrets`. */
export const ValueOrSecret = z.union([z.string(), SecretRef], {
  error: 'expected a string or { secret: <name> }',
});
/** A credential: only ever a reference, never the value itself. */
const SecretOnly = z.strictObject(
  { secret: NonEmpty },
  { error: 'must be { secret: <name> }: secret values never go into a DAG file' },
);

// ---- connections ---------------------------------------------------------------------------------

const AzureClientCredentials = z.strictObject({
  type: z.literal('azure_client_credentials'),
  tenant_id: ValueOrSecret,
  client_id: ValueOrSecret,
  client_secret: SecretOnly,
});
const AzureManagedIdentity = z.strictObject({
  type: z.literal('azure_managed_identity'),
  /** A user-assigned identity's client id; omit for the system-assigned identity. */
  client_id: ValueOrSecret.optional(),
});
const AzureDefault = z.strictObject({ type: z.literal('azure_default') });
const GenieBasic = z.strictObject({
  type: z.literal('genie_basic'),
  username: ValueOrSecret,
  password: SecretOnly,
});
const NoAuth = z.strictObject({ type: z.literal('none') });

export const ConnectionSchema = z.discriminatedUnion('type', [
  AzureClientCredentials,
  AzureManagedIdentity,
  AzureDefault,
  GenieBasic,
  NoAuth,
]);

// ---- secrets backends ----------------------------------------------------------------------------

export const SecretsSchema = z.discriminatedUnion('backend', [
  z.strictObject({
    backend: z.literal('azure_key_vault'),
    vault_url: z.url({ protocol: /^https?$/ }),
    /** Airflow's KeyVault backend: name = prefix + '-' + key, every '_' -> '-'. */
    variables_prefix: z.string().optional(),
  }),
  z.strictObject({
    backend: z.literal('aws_secrets_manager'),
    prefix: z.string().optional(),
    region: NonEmpty.optional(),
  }),
  z.strictObject({
    backend: z.literal('aws_ssm'),
    prefix: z.string().optional(),
    region: NonEmpty.optional(),
  }),
  z.strictObject({ backend: z.literal('env'), prefix: z.string().optional() }),
]);

// ---- params (a JSON-Schema subset) ---------------------------------------------------------------

const ParamType = z.union([z.enum(PARAM_TYPES), z.array(z.enum(PARAM_TYPES)).min(1)], {
  error: (issue) =>
    typeof issue.input === 'string'
      ? `unknown type '${issue.input}'${didYouMean(issue.input, PARAM_TYPES) || ` (expected ${oneOf(PARAM_TYPES)})`}`
      : `expected a type name or a list of them (${oneOf(PARAM_TYPES)})`,
});
const ParamConstraints = {
  type: ParamType.optional(),
  enum: z.array(z.unknown()).min(1).optional(),
  const: z.unknown().optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  exclusiveMinimum: z.number().optional(),
  exclusiveMaximum: z.number().optional(),
  multipleOf: z.number().positive().optional(),
  minLength: z.int().nonnegative().optional(),
  maxLength: z.int().nonnegative().optional(),
  pattern: z.string().optional(),
  format: z.string().optional(),
  minItems: z.int().nonnegative().optional(),
  maxItems: z.int().nonnegative().optional(),
};
export const ParamSchema = z.strictObject({
  ...ParamConstraints,
  items: z.strictObject(ParamConstraints).optional(),
  default: z.unknown().optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  examples: z.array(z.unknown()).optional(),
});

// ---- tasks ---------------------------------------------------------------------------------------

/** Fields every task takes, whatever its operator. */
const commonTaskFields = {
  depends_on: z.array(z.string()).optional(),
  trigger_rule: z.enum(TRIGGER_RULES).optional(),
  retries: z.int().nonnegative().optional(),
  retry_delay: Duration.optional(),
  retry_exponential_backoff: z.boolean().optional(),
  max_retry_delay: Duration.optional(),
  execution_timeout: PositiveDuration.optional(),
  expected_duration: Duration.optional(),
  doc: z.string().optional(),
};

/** Fields every job operator takes: how to authenticate and how to track the job. */
const jobTaskFields = {
  connection: z.string().optional(),
  wait_for: z.enum(WAIT_FOR).optional(),
  poke_interval: PositiveDuration.optional(),
  max_poke_interval: PositiveDuration.optional(),
};

/** A number, or a string that is a template rendering to one at run time. */
const IntOrTemplate = z.union([z.int().positive(), z.string().includes('{{')], {
  error: 'expected a positive integer or a {{ template }}',
});

export const HdinsightCluster = z.strictObject({
  subscription: NonEmpty,
  resource_group: NonEmpty,
  pool: NonEmpty,
  name: NonEmpty,
});

/** The fields every task shares, checked on their own when a task's operator is unknown. */
export const CommonTaskSchema = z.object(commonTaskFields);

const EmptyTask = z.strictObject({ operator: z.literal('empty'), ...commonTaskFields });

const FlinkHdinsightTask = z.strictObject({
  operator: z.literal('flink.hdinsight'),
  action: z.enum(HDINSIGHT_ACTIONS),
  cluster: HdinsightCluster,
  job_name: NonEmpty,
  jar_directory: NonEmpty.optional(),
  jar_name: NonEmpty.optional(),
  entry_class: NonEmpty.optional(),
  /** One space-separated string, as the ARM API takes it. */
  args: z.string().optional(),
  savepoint_name: NonEmpty.optional(),
  flink_configuration: z
    .record(z.string(), z.string({ error: 'flink_configuration values must be strings (quote them: "2")' }))
    .optional(),
  api_version: NonEmpty.optional(),
  ...commonTaskFields,
  ...jobTaskFields,
});

const FlinkRestTask = z.strictObject({
  operator: z.literal('flink.rest'),
  endpoint: NonEmpty,
  action: z.enum(FLINK_REST_ACTIONS),
  /** A jar file to upload (NEW, START, updates), or the id of a jar already uploaded. */
  jar_path: NonEmpty.optional(),
  jar_id: NonEmpty.optional(),
  /** The running job an action applies to (its Flink job id or job name); NEW and START name the job they submit. */
  job_id: NonEmpty.optional(),
  job_name: NonEmpty.optional(),
  entry_class: NonEmpty.optional(),
  args: StringOrList.optional(),
  parallelism: IntOrTemplate.optional(),
  /** Savepoint to restore from (START, NEW). */
  savepoint_path: NonEmpty.optional(),
  /** Where STOP, SAVEPOINT and UPDATE write their savepoint. */
  target_directory: NonEmpty.optional(),
  allow_non_restored_state: z.boolean().optional(),
  ...commonTaskFields,
  ...jobTaskFields,
});

const TagList = z.array(NonEmpty).min(1);

const GenieTask = z.strictObject({
  operator: z.literal('genie'),
  endpoint: NonEmpty,
  /** Tags of one cluster criterion, or a list of criteria tried in order. */
  cluster_tags: z.union([TagList, z.array(TagList).min(1)], {
    error: 'expected a list of tags, or a list of tag lists tried in order',
  }),
  command_tags: TagList,
  command_arguments: StringOrList.optional(),
  dependencies: z.array(NonEmpty).optional(),
  setup_file: NonEmpty.optional(),
  job_name: NonEmpty.optional(),
  /** Genie's own job timeout (the job is killed by Genie after it). */
  timeout: PositiveDuration.optional(),
  ...commonTaskFields,
  ...jobTaskFields,
});

export const TaskSchema = z.discriminatedUnion('operator', [
  EmptyTask,
  FlinkHdinsightTask,
  FlinkRestTask,
  GenieTask,
]);

// ---- default_args, triggers, the DAG -------------------------------------------------------------

/** Applied to every task; a task's own value wins. Job fields are ignored by `empty` tasks. */
export const DefaultArgsSchema = z.strictObject({
  trigger_rule: commonTaskFields.trigger_rule,
  retries: commonTaskFields.retries,
  retry_delay: commonTaskFields.retry_delay,
  retry_exponential_backoff: commonTaskFields.retry_exponential_backoff,
  max_retry_delay: commonTaskFields.max_retry_delay,
  execution_timeout: commonTaskFields.execution_timeout,
  ...jobTaskFields,
});

export const TriggerSchema = z.strictObject({
  s3: z.strictObject({
    bucket: NonEmpty,
    prefix: z.string().optional(),
    suffix: z.string().optional(),
  }),
});

const Schedule = z
  .string()
  .nullable()
  .superRefine((value, ctx) => {
    const result = parseSchedule(value);
    if (!result.ok) ctx.addIssue({ code: 'custom', message: result.message });
  });

const TimeZone = z.string().refine(isTimeZone, {
  error: (issue) =>
    `unknown time zone '${String(issue.input)}'${didYouMean(String(issue.input), [...knownTimeZones()])}`,
});

/**
 * Checks a map's keys; runs even when values have problems, so a bad id and a bad field of the same
 * task are both reported. The issue carries `params.key` so positions point at the key, not the value.
 */
function keysMatching(pattern: RegExp, message: string) {
  return (value: unknown, ctx: z.RefinementCtx): void => {
    if (value === null || typeof value !== 'object') return;
    for (const key of Object.keys(value)) {
      if (!pattern.test(key)) ctx.addIssue({ code: 'custom', message, path: [key], params: { key: true } });
    }
  };
}

export const DagSchema = z.strictObject({
  dag_id: z.string().regex(DAG_ID_PATTERN, {
    error: 'must be 1..64 characters of a-z, 0-9, _ and -',
  }),
  description: z.string().optional(),
  schedule: Schedule.optional(),
  timezone: TimeZone.optional(),
  catchup: z.boolean().optional(),
  max_active_runs: z.int().positive().optional(),
  max_active_tasks: z.int().positive().optional(),
  params: z.record(z.string(), ParamSchema).optional(),
  default_args: DefaultArgsSchema.optional(),
  connections: z
    .record(z.string(), ConnectionSchema)
    .superRefine(
      keysMatching(
        CONNECTION_NAME_PATTERN,
        'connection names must be 1..64 characters of a-z, A-Z, 0-9, _ and -',
      ),
      { when: () => true },
    )
    .optional(),
  secrets: SecretsSchema.optional(),
  triggers: z.array(TriggerSchema).optional(),
  tasks: z
    .record(z.string(), TaskSchema)
    .superRefine(
      keysMatching(TASK_ID_PATTERN, 'task ids must be 1..64 characters of a-z, A-Z, 0-9, _ and -'),
      {
        when: () => true,
      },
    ),
});

/** A parsed, validated DAG file, before defaults (see defaults.ts). */
export type DagDocument = z.infer<typeof DagSchema>;
export type TaskDocument = z.infer<typeof TaskSchema>;
export type ConnectionDocument = z.infer<typeof ConnectionSchema>;
export type SecretsDocument = z.infer<typeof SecretsSchema>;
export type ParamDocument = z.infer<typeof ParamSchema>;

/** JSON Schema (draft-07) of the DAG format, for yaml-language-server and other editors. */
export function dagJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(DagSchema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }),
    title: 'airless DAG file, version 1',
  };
}
