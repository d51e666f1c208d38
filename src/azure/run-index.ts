import { attemptInstanceId, runInstanceId } from './contract.ts';
import type { BlobRecords } from './blob-records.ts';

/** A run as the index keeps it: its id and how many orchestration attempts it has had. */
export interface RunIndexEntry {
  dag_run_id: string;
  /** The run's instance id (its first attempt's). */
  instance: string;
  attempts: number;
}

/**
 * The runs of each DAG in the state container, `runs/<dag_id>/<run instance>.json`: what lists a
 * DAG's runs (one blob listing instead of a scan of the task hub, where every task and try has an
 * instance too) and where a run's latest attempt is counted. Written before its orchestration
 * starts, so a run never exists unlisted; an entry whose orchestration never started is skipped.
 */
export class RunIndex {
  constructor(private readonly records: BlobRecords) {}

  private name(dagId: string, instance: string): string {
    return `runs/${dagId}/${instance}.json`;
  }

  /** Records a run about to start; a repeated record keeps the entry (and its attempts) as it is. */
  async record(dagId: string, runId: string): Promise<void> {
    const instance = runInstanceId(dagId, runId);
    const entry: RunIndexEntry = { dag_run_id: runId, instance, attempts: 1 };
    await this.records.write(this.name(dagId, instance), entry, null);
  }

  async get(dagId: string, runId: string): Promise<RunIndexEntry | null> {
    return (
      (await this.records.read<RunIndexEntry>(this.name(dagId, runInstanceId(dagId, runId))))?.value ?? null
    );
  }

  /** The instance of the run's latest attempt (the run's own instance when it is not indexed). */
  async latestInstance(dagId: string, runId: string): Promise<string> {
    const entry = await this.get(dagId, runId);
    return attemptInstanceId(entry?.instance ?? runInstanceId(dagId, runId), entry?.attempts ?? 1);
  }

  /**
   * Claims the next attempt of a run that is at `seen` attempts: the new attempt number, or null
   * when another re-run claimed it first.
   */
  async claimAttempt(dagId: string, runId: string, seen: number): Promise<number | null> {
    const instance = runInstanceId(dagId, runId);
    const current = await this.records.read<RunIndexEntry>(this.name(dagId, instance));
    const attempts = current?.value.attempts ?? 1;
    if (attempts !== seen) return null;
    const next: RunIndexEntry = { dag_run_id: runId, instance, attempts: attempts + 1 };
    return (await this.records.write(this.name(dagId, instance), next, current?.etag ?? null))
      ? attempts + 1
      : null;
  }

  async list(dagId: string): Promise<RunIndexEntry[]> {
    const names = await this.records.names(`runs/${dagId}/`);
    const entries = await Promise.all(names.map((n) => this.records.read<RunIndexEntry>(n)));
    return entries.flatMap((e) => (e === null ? [] : [e.value]));
  }
}
