import type { OperatorName } from './index.ts';

/**
 * The small output each operator returns: what `{{ tasks.<id>.output.<field> }}` may read.
 * Part of the operator's definition: validation rejects any other field at compile time.
 */
export const OPERATOR_OUTPUTS: Record<OperatorName, readonly string[]> = {
  empty: [],
  'flink.hdinsight': [
    'action',
    'action_result',
    'job_id',
    'job_name',
    'job_output',
    'last_savepoint',
    'run_id',
    'savepoints',
    'status',
  ],
  'flink.rest': ['jar_id', 'job_id', 'job_name', 'last_savepoint', 'status'],
  genie: ['cluster_name', 'command_name', 'job_id', 'job_name', 'status', 'status_msg'],
};

/**
 * Most bytes one output field's value takes as JSON: a longer value leaves the handler cut to a
 * string of this size, so the compile-time bound of the workflow state holds.
 */
export const OUTPUT_FIELD_BUDGET_BYTES = 1_024;

/** A value within OUTPUT_FIELD_BUDGET_BYTES as JSON: itself, or the start of its JSON text. */
export function capOutputValue(value: unknown): unknown {
  const json = JSON.stringify(value) ?? 'null';
  if (Buffer.byteLength(json) <= OUTPUT_FIELD_BUDGET_BYTES) return value;
  // Half the budget in characters: JSON escaping at most doubles what a string holds.
  return json.slice(0, Math.floor(OUTPUT_FIELD_BUDGET_BYTES / 2) - 8);
}
