import type { Service } from './faults.ts';

/** Counters the tests and the fault matrix read: submissions per job name above all. */
export class EmulatorStats {
  /** Jobs created per job name: ARM NEW, Flink jar run, Genie submit (accepted ones only). */
  readonly submissions: Record<string, number> = {};
  /** Requests received per service, including ones answered by an injected fault. */
  readonly requests: Partial<Record<Service, number>> = {};
  /** Answers replaced or delayed by an injected fault, per fault kind. */
  readonly faultsInjected: Record<string, number> = {};

  submitted(jobName: string): void {
    this.submissions[jobName] = (this.submissions[jobName] ?? 0) + 1;
  }

  requested(service: Service): void {
    this.requests[service] = (this.requests[service] ?? 0) + 1;
  }

  injected(kind: string): void {
    this.faultsInjected[kind] = (this.faultsInjected[kind] ?? 0) + 1;
  }

  /** Submissions beyond the first, per job name: non-empty means a retry started a second job. */
  duplicates(): Record<string, number> {
    return Object.fromEntries(
      Object.entries(this.submissions)
        .filter(([, n]) => n > 1)
        .map(([name, n]) => [name, n - 1]),
    );
  }
}
