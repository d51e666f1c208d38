import { OPERATOR_DEFINITIONS, type OperatorName } from './index.ts';

/**
 * The small output each operator returns: what `{{ tasks.<id>.output.<field> }}` may read.
 * Part of the operator's definition: validation rejects any other field at compile time.
 */
export const OPERATOR_OUTPUTS = Object.fromEntries(
  OPERATOR_DEFINITIONS.map((d) => [d.name, d.outputs]),
) as unknown as Record<OperatorName, readonly string[]>;

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
