import type { OperatorDefinition } from './definition.ts';
import { empty } from './empty.ts';
import { flinkHdinsight } from './flink-hdinsight.ts';
import { flinkRest } from './flink-rest.ts';
import { genie } from './genie.ts';

/**
 * Every operator, in the order the schema and the reference list them. Adding one means its
 * definition here, a client and handler (src/clients, src/handlers/operators) and an emulator.
 */
export const OPERATOR_DEFINITIONS = [empty, flinkHdinsight, flinkRest, genie] as const;

export type OperatorName = (typeof OPERATOR_DEFINITIONS)[number]['name'];
export const OPERATORS = OPERATOR_DEFINITIONS.map((d) => d.name) as [OperatorName, ...OperatorName[]];

const BY_NAME: ReadonlyMap<string, OperatorDefinition> = new Map(
  OPERATOR_DEFINITIONS.map((d) => [d.name, d as OperatorDefinition]),
);

/** The definition of an operator, by name. */
export const operatorDefinition = (name: OperatorName): OperatorDefinition => BY_NAME.get(name)!;

/** Operators that run a job: a handler submits, polls and cancels it. */
type JobOperatorName = Extract<(typeof OPERATOR_DEFINITIONS)[number], { job: true }>['name'];
export const JOB_OPERATORS = OPERATOR_DEFINITIONS.filter((d) => d.job).map((d) => d.name) as [
  JobOperatorName,
  ...JobOperatorName[],
];
