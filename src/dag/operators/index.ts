export const OPERATORS = ['empty', 'flink.hdinsight', 'flink.rest', 'genie'] as const;
export type OperatorName = (typeof OPERATORS)[number];

export const JOB_OPERATORS: readonly OperatorName[] = ['flink.hdinsight', 'flink.rest', 'genie'];
