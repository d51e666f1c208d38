/**
 * The words of the DAG language every layer shares: trigger rules, weight rules, what a job poll
 * waits for, connection types and secrets backends, and the compiled shape of a connection. The
 * compiler, handlers and clients read them from here; each operator's own words live in operators/.
 */

export const TRIGGER_RULES = [
  'all_success',
  'all_failed',
  'all_done',
  'all_done_min_one_success',
  'all_skipped',
  'one_success',
  'one_failed',
  'one_done',
  'none_failed',
  'none_failed_min_one_success',
  'none_skipped',
  'always',
] as const;
export type TriggerRule = (typeof TRIGGER_RULES)[number];

/** Airflow's weight rules: how a task's effective priority weight is summed. */
export const WEIGHT_RULES = ['downstream', 'upstream', 'absolute'] as const;
export type WeightRule = (typeof WEIGHT_RULES)[number];

export const WAIT_FOR = ['FINISHED', 'RUNNING', 'ACCEPTED'] as const;
export type WaitFor = (typeof WAIT_FOR)[number];

export const CONNECTION_TYPES = [
  'azure_client_credentials',
  'azure_managed_identity',
  'azure_default',
  'genie_basic',
  'none',
] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

export const SECRETS_BACKENDS = ['azure_key_vault', 'aws_secrets_manager', 'aws_ssm', 'env'] as const;
export type SecretsBackend = (typeof SECRETS_BACKENDS)[number];

/** A value looked up at run time through the DAG's `secrets` backend; never a secret value itself. */
export interface SecretRef {
  secret: string;
}
export type ValueOrSecret = string | SecretRef;

/** A connection as compiled: its type and the remaining fields as written (tenant_id, username, ...). */
export interface ConnectionSpec {
  type: ConnectionType;
  fields: Record<string, ValueOrSecret>;
}

/** A secrets backend as compiled: backend options as written (vault_url, prefix, region, ...), keys sorted. */
export interface SecretsSpec {
  backend: SecretsBackend;
  options: Record<string, string>;
}
