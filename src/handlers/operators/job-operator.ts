import type { z } from 'zod';
import { HttpEndpoint } from '../../dag/field-types.ts';
import { AirlessError } from '../../errors.ts';
import type { HttpTarget } from '../../clients/http.ts';
import type { RetryPolicy } from '../../clients/retry.ts';
import type { RuntimeConfig } from '../../clients/runtime-config.ts';
import type { JobRef, TaskInvocation } from '../contract.ts';

/** Everything an operator needs for one call: the invocation with its config already rendered. */
export interface OperatorCall {
  invocation: TaskInvocation;
  /** TaskSpec.config with every template rendered. */
  config: Record<string, unknown>;
  runtime: RuntimeConfig;
  /** Where and how to reach a service: its base URL, with the task's connection authorising for `scope`. */
  target(service: string, baseUrl: string, scope: string): HttpTarget;
  /** A connection field, its secret looked up when it is one; undefined when the connection has none. */
  connectionField(name: string): Promise<string | undefined>;
  retry: RetryPolicy;
}

/** Entra ID scope of HDInsight on AKS data-plane endpoints, used when a flink.rest/genie connection is azure_*. */
export const DATA_PLANE_SCOPE = 'https://hilo.azurehdinsight.net/.default';

export type Output = Record<string, string | number | boolean | null | string[]>;

/** submit/poll/cancel of one job operator; poll throws StillRunning until wait_for is reached. */
export interface JobOperator {
  submit(call: OperatorCall): Promise<JobRef>;
  poll(call: OperatorCall, job: JobRef): Promise<Output>;
  cancel(call: OperatorCall, job: JobRef): Promise<Output>;
}

/** Checks a rendered config against the operator's schema; any problem is BadInput naming the field. */
export function parseConfig<S extends z.ZodType>(operator: string, schema: S, config: unknown): z.infer<S> {
  const parsed = schema.safeParse(config);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`)
    .join('; ');
  throw new AirlessError('BadInput', `${operator} task config after rendering: ${problems}`);
}

export const requireField = <T>(operator: string, action: string, field: string, value: T | undefined): T => {
  if (value === undefined)
    throw new AirlessError('BadInput', `${operator} action ${action} needs '${field}'`);
  return value;
};

/**
 * The base URL a flink.rest or genie call goes to: the deployment's override, else the host of the
 * task's connection. A task's own (rendered) endpoint is used only when its connection holds no
 * credentials, so nothing a run's conf or params hold can send credentials to another host.
 */
export function serviceUrl(
  call: OperatorCall,
  override: string | undefined,
  endpoint: string | undefined,
): string {
  if (override) return override;
  const connection = call.invocation.task.connection;
  const host = connection?.fields.host;
  if (host !== undefined) {
    const parsed = HttpEndpoint.safeParse(host);
    if (!parsed.success)
      throw new AirlessError(
        'BadInput',
        `connection '${connection!.name}': host ${parsed.error.issues[0]!.message}`,
      );
    return parsed.data;
  }
  if (connection && connection.type !== 'none') {
    throw new AirlessError(
      'BadInput',
      `connection '${connection.name}' (${connection.type}) has no host: its credentials go only to the host it names`,
    );
  }
  if (endpoint === undefined)
    throw new AirlessError('BadInput', 'no endpoint: set host on the connection or endpoint on the task');
  return endpoint;
}
