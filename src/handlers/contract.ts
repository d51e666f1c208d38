import { z } from 'zod';
import { JOB_OPERATORS, OPERATORS } from '../dag/operators/index.ts';
import { CONNECTION_TYPES, SECRETS_BACKENDS, WAIT_FOR } from '../dag/vocabulary.ts';

/**
 * What a workflow (Step Functions state or Durable activity) passes to a task handler, and what it
 * gets back. Both backends build exactly this payload; handlers check it with these schemas.
 * Nothing here ever carries a token or a secret value: only names of secrets.
 */

const Json: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(Json), z.record(z.string(), Json)]),
);

/** The run's identity and inputs; templates render from this. */
export const RunContextSchema = z.object({
  dag_id: z.string().min(1),
  run_id: z.string().min(1),
  /** ISO-8601 instant; `ds`, `ts`, ... derive from it. */
  logical_date: z.string().min(1),
  /** The raw trigger conf. */
  conf: z.record(z.string(), Json),
  /** Params after applying defaults and conf overrides, already validated against the DAG's params. */
  params: z.record(z.string(), Json),
});
export type RunContext = z.infer<typeof RunContextSchema>;

const SecretRefSchema = z.object({ secret: z.string().min(1) }).strict();
const ValueOrSecretSchema = z.union([z.string(), SecretRefSchema]);

export const TaskSpecSchema = z.object({
  task_id: z.string().min(1),
  operator: z.enum(OPERATORS),
  /** TaskIR.config: operator fields with their templates unrendered. */
  config: z.record(z.string(), Json),
  wait_for: z.enum(WAIT_FOR).nullable(),
  /** The connection, resolved from PlanIR.connections (secret names only), or null. */
  connection: z
    .object({
      name: z.string(),
      type: z.enum(CONNECTION_TYPES),
      fields: z.record(z.string(), ValueOrSecretSchema),
    })
    .nullable(),
  secrets: z
    .object({
      backend: z.enum(SECRETS_BACKENDS),
      options: z.record(z.string(), z.string()),
    })
    .nullable(),
});
export type TaskSpec = z.infer<typeof TaskSpecSchema>;

/** What submit returns and poll/cancel take back: enough to find the job again, small. */
export const JobRefSchema = z.object({
  operator: z.enum(JOB_OPERATORS),
  job_name: z.string(),
  job_id: z.string().nullable(),
  /** Operator-specific small handles (e.g. a Flink REST trigger id, an ARM operation location). */
  handle: z.record(z.string(), z.string()),
  submitted_at: z.string(),
});
export type JobRef = z.infer<typeof JobRefSchema>;

export const TaskInvocationSchema = z.object({
  op: z.enum(['submit', 'poll', 'cancel']),
  task: TaskSpecSchema,
  run: RunContextSchema,
  /** Outputs of the upstream tasks this task's templates read (TaskIR.reads), by task id. */
  upstream: z.record(z.string(), z.record(z.string(), Json)),
  /** 1-based Airflow try number; part of the job name so a task retry submits a new job. */
  try_number: z.number().int().min(1),
  /** Present for poll and cancel. */
  job: JobRefSchema.optional(),
});
export type TaskInvocation = z.infer<typeof TaskInvocationSchema>;

/** submit -> { job }; poll -> { output } once wait_for is reached (else throws StillRunning). */
export const SubmitResultSchema = z.object({ job: JobRefSchema });
export const PollResultSchema = z.object({ output: z.record(z.string(), Json) });
export type SubmitResult = z.infer<typeof SubmitResultSchema>;
export type PollResult = z.infer<typeof PollResultSchema>;
