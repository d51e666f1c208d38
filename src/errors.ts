/**
 * The named error vocabulary. ASL Retry/Catch and Durable retry decisions match on these names
 * (Error.name) and nothing else, so the strings are part of the compiled output's contract.
 */
export const ErrorNames = {
  /** 429 or an explicit throttling answer; retry after the service's hint. */
  Throttled: 'Throttled',
  /** 5xx, or a long-running operation that answered with a server fault. */
  ServiceUnavailable: 'ServiceUnavailable',
  /** Connection refused/reset/dropped, DNS failure, socket timeout. */
  NetworkError: 'NetworkError',
  /** Input that can never succeed: schema violation, unresolvable template, 400 from a service. */
  BadInput: 'BadInput',
  /** 401/403 or a credential that cannot be obtained. */
  AuthFailed: 'AuthFailed',
  /** A job, cluster, jar or secret that does not exist. */
  NotFound: 'NotFound',
  /** 409 that is not resolvable by looking up the existing resource. */
  Conflict: 'Conflict',
  /** The job (or the action on it) reached a final state that is not the one waited for. */
  JobFailed: 'JobFailed',
  /** Polled too early: the job has not reached `wait_for` yet. Drives Retry-based polling. */
  StillRunning: 'StillRunning',
} as const;

export type ErrorName = (typeof ErrorNames)[keyof typeof ErrorNames];

/** Errors worth retrying at once with backoff inside one task try (a call, not the job). */
export const TRANSIENT_ERRORS: readonly ErrorName[] = [
  ErrorNames.Throttled,
  ErrorNames.ServiceUnavailable,
  ErrorNames.NetworkError,
];

/**
 * Errors that consume an Airflow task retry (`retries`): the transient ones once their short retries
 * are exhausted, a failed job (a new try resubmits), and a try that ran past execution_timeout.
 * BadInput, AuthFailed, NotFound and Conflict fail the task at once, like AirflowFailException.
 */
export const TASK_RETRYABLE_ERRORS: readonly string[] = [
  ...TRANSIENT_ERRORS,
  ErrorNames.JobFailed,
  'States.Timeout',
];

export class AirlessError extends Error {
  override readonly name: ErrorName;
  /** Seconds the service asked us to wait (Retry-After), when it said so. */
  readonly retryAfterSeconds: number | undefined;

  constructor(name: ErrorName, message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = name;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  get transient(): boolean {
    return TRANSIENT_ERRORS.includes(this.name);
  }
}

export const isAirlessError = (e: unknown, name?: ErrorName): e is AirlessError =>
  e instanceof AirlessError && (name === undefined || e.name === name);
