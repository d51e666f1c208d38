import type { OperatorName } from '../compiler/ir.ts';

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

export const JOB_OPERATORS: readonly OperatorName[] = ['flink.hdinsight', 'flink.rest', 'genie'];
