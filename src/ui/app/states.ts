/** Airflow's task and run states, in the order the UI's legend lists them; colours are in styles.css. */
export const STATES = [
  'success',
  'failed',
  'running',
  'queued',
  'up_for_retry',
  'upstream_failed',
  'skipped',
  'scheduled',
] as const;

/** The CSS class of a state's colour; `none` for a task instance with no status yet. */
export const stateClass = (state: string | null | undefined): string => `s-${state ?? 'none'}`;

/** A run or task instance that can still change by itself. */
export const isLive = (state: string | null | undefined): boolean =>
  state === 'queued' || state === 'running' || state === 'scheduled' || state === 'up_for_retry';
