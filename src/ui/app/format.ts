/** Instants as the UI shows them: UTC, to the second, like Airflow's default. */
export const formatTime = (iso: string | null | undefined): string =>
  iso ? iso.replace('T', ' ').replace(/(\.\d+)?(Z|\+00:00)$/, '') : '';

/** Seconds as `1h 02m`, `3m 07s` or `4.2s`. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const s = Math.round(seconds);
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
}

/** Seconds between two instants (the second defaulting to now), or null. */
export function secondsBetween(
  start: string | null | undefined,
  end: string | null | undefined,
): number | null {
  if (!start) return null;
  const to = end ? Date.parse(end) : Date.now();
  return (to - Date.parse(start)) / 1000;
}
