/**
 * An error the Step Functions API answers with: `type` is the `__type` of the JSON 1.0 error body,
 * which the SDK turns into its exception class of that name (StateMachineDoesNotExist, ...).
 */
export class SfnError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

export const validation = (message: string): SfnError => new SfnError('ValidationException', message);

/** A required string field of a request, or ValidationException (the SDK also checks them). */
export function required(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw validation(`${field} is required`);
  return value;
}

/** An optional string field of a request. */
export function optional(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validation(`${field} must be a string`);
  return value;
}
