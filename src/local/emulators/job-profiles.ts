import { globMatches } from './faults.ts';

/**
 * How long a job named like `jobName` (exact, or a glob with `*`) runs once started, in emulated
 * seconds; `null` means it runs until stopped or cancelled (a streaming job). First match wins.
 */
export interface JobProfile {
  jobName: string;
  runSeconds: number | null;
}

export function runSecondsFor(
  profiles: JobProfile[],
  fallback: number | null,
  jobName: string,
): number | null {
  const profile = profiles.find((p) => globMatches(p.jobName, jobName));
  return profile ? profile.runSeconds : fallback;
}
