import { z } from 'zod';
import { about, Duration, PositiveDuration } from '../field-types.ts';
import { TRIGGER_RULES, WAIT_FOR, WEIGHT_RULES } from '../vocabulary.ts';

/** Fields every task takes, whatever its operator. */
export const commonTaskFields = {
  depends_on: about(
    z.array(z.string()),
    'Task ids this task runs after (Airflow: upstream >> this).',
  ).optional(),
  trigger_rule: about(
    z.enum(TRIGGER_RULES),
    "Airflow's rule deciding from the upstreams' states whether this task runs.",
    'all_success',
  ).optional(),
  retries: about(z.int().nonnegative(), 'Extra tries after a failed one.', 0).optional(),
  retry_delay: about(
    Duration,
    'Wait before a retry: 500ms, 30s, 10m, 2h, 1d, PT30S or seconds.',
    '5m',
  ).optional(),
  retry_exponential_backoff: about(
    z.boolean(),
    'Double the retry delay on each try (with jitter, as Airflow).',
    false,
  ).optional(),
  max_retry_delay: about(Duration, 'Cap on one retry delay.').optional(),
  execution_timeout: about(
    PositiveDuration,
    'Limit on one try; going over fails the try (retryable).',
  ).optional(),
  expected_duration: about(
    Duration,
    'How long the task usually takes; used for the critical path, cost and simulation.',
  ).optional(),
  priority_weight: about(
    z.int(),
    "Airflow's priority: when max_active_tasks slots are short, the ready task with the highest effective weight starts first.",
    1,
  ).optional(),
  weight_rule: about(
    z.enum(WEIGHT_RULES),
    'How the effective weight is summed: downstream (own plus every descendant), upstream (own plus every ancestor), absolute (own).',
    'downstream',
  ).optional(),
  doc: about(z.string(), 'Free text for people; never rendered.').optional(),
};

/** Fields every job operator takes: how to authenticate and how to track the job. */
export const jobTaskFields = {
  connection: about(z.string(), 'Name of an entry in connections: how the handler authenticates.').optional(),
  wait_for: about(
    z.enum(WAIT_FOR),
    'FINISHED: the job ends well (batch); RUNNING: the job runs (streaming); ACCEPTED: the service took the action.',
    'FINISHED',
  ).optional(),
  poke_interval: about(
    PositiveDuration,
    'First wait between status polls; grows up to max_poke_interval.',
    '60s',
  ).optional(),
  max_poke_interval: about(PositiveDuration, 'Longest wait between status polls.', '5m').optional(),
};
