import { operatorDefinition, type OperatorName } from './operators/index.ts';
import type { TriggerRule, WaitFor, WeightRule } from './vocabulary.ts';

/**
 * Defaults the IR builder applies to a parsed DagDocument (the schema itself sets none, so the
 * document stays what the user wrote). Where Airflow has a default, it is Airflow's.
 */
export const DEFAULTS = {
  schedule: null,
  timezone: 'UTC',
  catchup: false,
  /** core.max_active_runs_per_dag */
  max_active_runs: 16,
  /** core.max_active_tasks_per_dag */
  max_active_tasks: 16,
  retries: 0,
  retry_delay_s: 300,
  retry_exponential_backoff: false,
  max_retry_delay_s: null,
  execution_timeout_s: null,
  trigger_rule: 'all_success' satisfies TriggerRule,
  priority_weight: 1,
  weight_rule: 'downstream' satisfies WeightRule,
  wait_for: 'FINISHED' satisfies WaitFor,
  /** Airflow's sensor poke_interval default. */
  poke_interval_s: 60,
  /**
   * Cap for the growing gap between polls. Airflow's sensors have no cap by default (they back off
   * without bound up to the timeout); 5 minutes keeps a finished job's detection latency bounded
   * while a long streaming job costs at most 12 polls an hour.
   */
  max_poke_interval_s: 300,
} as const;

/** expected_duration when a task does not say: a marker takes no time, a job about a minute. */
export const defaultExpectedDurationSeconds = (operator: OperatorName): number =>
  operatorDefinition(operator).job ? 60 : 0;
