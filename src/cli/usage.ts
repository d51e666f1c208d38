/** A mistake in how a command was called (exit code 2), as opposed to a problem in a DAG file (1). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Prints a usage error and returns exit code 2; any other error is rethrown. */
export function reportUsageError(error: unknown): number {
  if (!(error instanceof UsageError)) throw error;
  console.error(`airless: ${error.message}`);
  return 2;
}
