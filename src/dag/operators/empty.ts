import type { OperatorDefinition } from './definition.ts';

/** Airflow's EmptyOperator: does nothing and succeeds (a join or a marker). */
export const empty = {
  name: 'empty',
  fields: {},
  rendered: {},
  job: false,
  outputs: [],
  connectionTypes: [],
} as const satisfies OperatorDefinition;
