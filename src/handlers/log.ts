/**
 * One JSON line per handler call. Only names, ids and states are logged: never a config value that
 * came from a secret, never a token (handlers have none in hand here).
 */
export type LogSink = (line: string) => void;

export const consoleSink: LogSink = (line) => {
  if (process.env.AIRLESS_LOG !== 'off') console.log(line);
};

export function logEvent(sink: LogSink, event: Record<string, unknown>): void {
  sink(JSON.stringify({ time: new Date().toISOString(), ...event }));
}
