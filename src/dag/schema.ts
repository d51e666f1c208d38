import { z } from 'zod';
import { about, NonEmpty } from './field-types.ts';
import { OPERATOR_DEFINITIONS } from './operators/index.ts';
import { commonTaskFields, jobTaskFields } from './operators/task-fields.ts';
import { didYouMean, oneOf } from './diagnostics.ts';
import { isTimeZone, knownTimeZones, parseSchedule } from './schedule.ts';
import { parseDagDate } from './zoned-time.ts';

/**
 * The DAG file format, version 1 (shared/design/DAG-FORMAT.md), as a zod schema. Every object is
 * strict: an unknown key is an error, never silently ignored. The schema checks each field on its
 * own (types, enums, id patterns, durations, cron, time zone); rules that relate fields to each other
 * (depends_on targets, cycles, action -> required fields, templates, connections) live in
 * validate.ts. No defaults are applied here: see defaults.ts.
 */

export const DAG_ID_PATTERN = /^[a-z0-9_-]{1,64}$/;
export const TASK_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
/** Param names: what a template path segment can hold. */
export const PARAM_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
/** Connection names: the same alphabet as task ids. */
export const CONNECTION_NAME_PATTERN = TASK_ID_PATTERN;

export const PARAM_TYPES = ['string', 'integer', 'number', 'boolean', 'array', 'object', 'null'] as const;

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
/**
 * Airflow's model: the host a connection's credentials go to belongs to the connection, written out
 * in full in the DAG file (never a template: nothing a run's conf or params hold may steer them).
 */
export const CONNECTION_HOST_PATTERN = /^https?:\/\/[^\s/?#{}]+(\/[^\s?#{}]*)?$/;
const Host = about(
  // A template is reported once, with why, by validate.ts.
  z.string().refine((v) => v.includes('{{') || CONNECTION_HOST_PATTERN.test(v), {
    error: 'expected an http(s) base URL without query or fragment, e.g. http://genie:8080',
  }),
  'Base URL of the service this connection authenticates to, e.g. http://genie:8080; a literal, never a template.',
);
const GenieBasic = z.strictObject({
  type: z.literal('genie_basic'),
  host: Host.optional(),
  username: ValueOrSecret,
  password: SecretOnly,
});
const NoAuth = z.strictObject({ type: z.literal('none'), host: Host.optional() });

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

/** The fields every task shares, checked on their own when a task's operator is unknown. */
export const CommonTaskSchema = z.object(commonTaskFields);

type Definition = (typeof OPERATOR_DEFINITIONS)[number];
type TaskShape<D extends Definition> = { operator: z.ZodLiteral<D['name']> } & D['fields'] &
  typeof commonTaskFields &
  (D['job'] extends true ? typeof jobTaskFields : Record<never, never>);
type TaskObject<D> = D extends Definition ? z.ZodObject<TaskShape<D>, z.core.$strict> : never;
type TaskObjects<T extends readonly unknown[]> = { -readonly [K in keyof T]: TaskObject<T[K]> };
type TaskSchemas = TaskObjects<typeof OPERATOR_DEFINITIONS>;

/** A task of one operator: its own fields, then those of every task, then those of every job operator. */
const taskSchema = (definition: Definition) =>
  z.strictObject({
    operator: z.literal(definition.name),
    ...definition.fields,
    ...commonTaskFields,
    ...(definition.job ? jobTaskFields : {}),
  });

export const TaskSchema = z.discriminatedUnion(
  'operator',
  OPERATOR_DEFINITIONS.map(taskSchema) as unknown as TaskSchemas,
);

// ---- default_args, triggers, the DAG -------------------------------------------------------------

/** Applied to every task; a task's own value wins. Job fields are ignored by `empty` tasks. */
export const DefaultArgsSchema = z.strictObject({
  trigger_rule: commonTaskFields.trigger_rule,
  retries: commonTaskFields.retries,
  retry_delay: commonTaskFields.retry_delay,
  retry_exponential_backoff: commonTaskFields.retry_exponential_backoff,
  max_retry_delay: commonTaskFields.max_retry_delay,
  execution_timeout: commonTaskFields.execution_timeout,
  priority_weight: commonTaskFields.priority_weight,
  weight_rule: commonTaskFields.weight_rule,
  ...jobTaskFields,
});

const KeyFilter = {
  prefix: about(z.string(), 'Only names starting with this.', '').optional(),
  suffix: about(z.string(), 'Only names ending with this.', '').optional(),
};
/** Azure's container naming rules: 3-63 characters, lowercase letters, digits, single inner hyphens. */
export const BlobContainerName = z.string().regex(/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/, {
  error:
    'must be 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit',
});

/** One data trigger: a new S3 object (AWS) or a new blob (Azure); exactly one of the two. */
export const TriggerSchema = z
  .strictObject({
    s3: about(
      z.strictObject({ bucket: NonEmpty, ...KeyFilter }),
      'AWS: an object created in this bucket (EventBridge notifications on).',
    ).optional(),
    blob: about(
      z.strictObject({ container: BlobContainerName, ...KeyFilter }),
      'Azure: a blob created in this container (an Event Grid BlobCreated subscription).',
    ).optional(),
  })
  .refine((t) => (t.s3 === undefined) !== (t.blob === undefined), {
    error: 'give exactly one of s3 or blob',
  })
  .meta({ oneOf: [{ required: ['s3'] }, { required: ['blob'] }] });

const Schedule = z
  .string()
  .nullable()
  .superRefine((value, ctx) => {
    const result = parseSchedule(value);
    if (!result.ok) ctx.addIssue({ code: 'custom', message: result.message });
  });

const DagDate = z.string().superRefine((value, ctx) => {
  const parsed = parseDagDate(value);
  if (parsed.kind === 'invalid') ctx.addIssue({ code: 'custom', message: parsed.message });
});

const TimeZone = z.string().refine(isTimeZone, {
  error: (issue) =>
    `unknown time zone '${String(issue.input)}'${didYouMean(String(issue.input), [...knownTimeZones()])}`,
});

/**
 * A map keyed by ids. Its keys are checked even when values have problems, so a bad id and a bad
 * field of the same entry are both reported; the issue carries `params.key` so its position is the
 * key's, not the value's.
 */
function idMap<T extends z.ZodType>(value: T, pattern: RegExp, message: string) {
  return z.record(z.string(), value).superRefine(
    (map, ctx) => {
      for (const key of Object.keys(map)) {
        if (!pattern.test(key)) ctx.addIssue({ code: 'custom', message, path: [key], params: { key: true } });
      }
    },
    { when: (payload) => payload.value !== null && typeof payload.value === 'object' },
  );
}

export const DagSchema = z.strictObject({
  dag_id: about(
    z.string().regex(DAG_ID_PATTERN, { error: 'must be 1..64 characters of a-z, 0-9, _ and -' }),
    'Unique name of the DAG: a-z, 0-9, _ and -, at most 64 characters.',
  ),
  description: about(z.string(), 'What the DAG does, for people.').optional(),
  schedule: about(
    Schedule,
    'null (manual/API/event only), @once, @hourly..@yearly, a 5-field cron, or rate(N minutes|hours|days).',
    null,
  ).optional(),
  timezone: about(TimeZone, 'IANA time zone the schedule fires in.', 'UTC').optional(),
  start_date: about(
    DagDate,
    'First logical date the schedule may have: a date (midnight in `timezone`) or an RFC 3339 date-time.',
  ).optional(),
  end_date: about(
    DagDate,
    'Last logical date the schedule may have (inclusive): a date (midnight in `timezone`) or an RFC 3339 date-time.',
  ).optional(),
  catchup: about(
    z.boolean(),
    'Create the scheduled runs missed since start_date (or the last scheduled run) when the DAG is registered or unpaused.',
    false,
  ).optional(),
  max_active_runs: about(z.int().positive(), 'Runs of this DAG at once; more are queued.', 16).optional(),
  max_active_tasks: about(z.int().positive(), 'Tasks of one run executing at once.', 16).optional(),
  params: about(
    idMap(
      ParamSchema,
      PARAM_NAME_PATTERN,
      'param names must be letters, digits, _ and - (read as {{ params.<name> }})',
    ),
    'Run parameters (a JSON-Schema subset), read as {{ params.<name> }}.',
  ).optional(),
  default_args: about(DefaultArgsSchema, "Applied to every task; a task's own value wins.").optional(),
  connections: idMap(
    ConnectionSchema,
    CONNECTION_NAME_PATTERN,
    'connection names must be 1..64 characters of a-z, A-Z, 0-9, _ and -',
  )
    .meta({ description: 'How handlers authenticate, by name; secret values never inline.' })
    .optional(),
  secrets: about(SecretsSchema, 'Where { secret: <name> } values are looked up at run time.').optional(),
  triggers: about(
    z.array(TriggerSchema),
    'Data triggers: a new object matching one starts a run.',
  ).optional(),
  tasks: idMap(
    TaskSchema,
    TASK_ID_PATTERN,
    'task ids must be 1..64 characters of a-z, A-Z, 0-9, _ and -',
  ).meta({ description: 'The tasks, by task id (a-z, A-Z, 0-9, _ and -, at most 64 characters).' }),
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
