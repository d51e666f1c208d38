import type { ScaledClock } from './clock.ts';
import type { FaultRegistry } from './faults.ts';
import type { JobProfile } from './job-profiles.ts';
import { runSecondsFor } from './job-profiles.ts';
import type { EmulatorStats } from './stats.ts';

/** What every emulated service shares: time, faults, counters, job run lengths. */
export class EmuContext {
  constructor(
    readonly clock: ScaledClock,
    readonly faults: FaultRegistry,
    readonly stats: EmulatorStats,
    private readonly profiles: JobProfile[],
    private readonly defaultRunSeconds: number | null,
  ) {}

  /** Emulated seconds a job named `jobName` runs before it finishes; null: until stopped. */
  runSeconds(jobName: string): number | null {
    return runSecondsFor(this.profiles, this.defaultRunSeconds, jobName);
  }

  /** Emulated epoch ms at which a job started now fails, when a `job-fails` fault matches it. */
  failAt(service: 'hdinsight' | 'flink' | 'genie', jobName: string, startsAt: number): number | undefined {
    const fault = this.faults.take('job-fails', { service, jobName });
    if (!fault) return undefined;
    this.stats.injected('job-fails');
    return startsAt + (fault.afterSeconds ?? 5) * 1000;
  }

  /** True when a matching `action-stuck` fault says this action must never complete. */
  stuck(service: 'hdinsight' | 'flink' | 'genie', jobName: string, action: string): boolean {
    const fault = this.faults.take('action-stuck', { service, jobName, action });
    if (fault) this.stats.injected('action-stuck');
    return fault !== undefined;
  }
}
