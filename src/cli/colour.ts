/**
 * Task and run states in Airflow's UI colours, on a terminal only: never when NO_COLOR is set
 * (https://no-color.org), nor when the stream is not a TTY; FORCE_COLOR turns them on.
 */
const STATE_COLOURS: Record<string, string> = {
  success: '32', // green
  failed: '31', // red
  upstream_failed: '33', // orange: the nearest of the 16 colours
  up_for_retry: '33', // gold
  skipped: '95', // hot pink
  running: '92', // lime
  queued: '90', // grey
  removed: '37', // light grey
};

export function colourEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

/** The state in its colour when `enabled`, else as is. */
export function colourState(state: string, enabled: boolean): string {
  const code = STATE_COLOURS[state];
  return enabled && code ? `\u001b[${code}m${state}\u001b[0m` : state;
}
