import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One schedule as EventBridge Scheduler keeps it (the fields GetSchedule returns), plus where it got to. */
export interface ScheduleRecord {
  Arn: string;
  Name: string;
  GroupName: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone: string;
  State: 'ENABLED' | 'DISABLED';
  Description?: string;
  StartDate?: number;
  EndDate?: number;
  FlexibleTimeWindow: { Mode: string; MaximumWindowInMinutes?: number };
  ActionAfterCompletion: string;
  Target: {
    Arn: string;
    RoleArn: string;
    Input?: string;
    RetryPolicy?: { MaximumEventAgeInSeconds?: number; MaximumRetryAttempts?: number };
  };
  /** Epoch seconds, as the REST-JSON protocol writes timestamps. */
  CreationDate: number;
  LastModificationDate: number;
  /** Epoch ms: ticks at or before it are delivered (or given up); the next tick comes after it. */
  cursor: number;
}

const FILE = 'schedules.json';

/**
 * The schedules of the local Scheduler service, in one JSON file under its directory, rewritten
 * whole (write then rename, so a kill leaves the old file or the new one, never half of one).
 */
export class ScheduleStore {
  private readonly schedules = new Map<string, ScheduleRecord>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly directory: string) {}

  static async open(directory: string): Promise<ScheduleStore> {
    await mkdir(directory, { recursive: true });
    const store = new ScheduleStore(directory);
    let text: string | null = null;
    try {
      text = await readFile(join(directory, FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text !== null)
      for (const record of JSON.parse(text) as ScheduleRecord[]) store.schedules.set(keyOf(record), record);
    return store;
  }

  get(group: string, name: string): ScheduleRecord | undefined {
    return this.schedules.get(`${group}/${name}`);
  }

  all(): ScheduleRecord[] {
    return [...this.schedules.values()].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
  }

  put(record: ScheduleRecord): Promise<void> {
    this.schedules.set(keyOf(record), record);
    return this.save();
  }

  delete(group: string, name: string): Promise<void> {
    this.schedules.delete(`${group}/${name}`);
    return this.save();
  }

  /** Writes are serialised; each writes everything as it is when it runs. */
  save(): Promise<void> {
    this.writing = this.writing.then(async () => {
      const path = join(this.directory, FILE);
      await writeFile(`${path}.tmp`, `${JSON.stringify(this.all(), null, 1)}\n`);
      await rename(`${path}.tmp`, path);
    });
    return this.writing;
  }
}

const keyOf = (record: Pick<ScheduleRecord, 'GroupName' | 'Name'>): string =>
  `${record.GroupName}/${record.Name}`;
