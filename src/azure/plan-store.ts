import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import type { PlanIR, TriggerIR } from '../compiler/ir.ts';
import type { ScheduleIR } from '../dag/schedule.ts';
import type { Diagnostic } from '../dag/diagnostics.ts';
import { BlobRecords } from './blob-records.ts';

/** Where uploads land (the blob trigger's container) and where airless keeps its own records. */
export const SOURCES_CONTAINER = 'dags';
export const STATE_CONTAINER = 'airless';

/** The live version of a registered DAG: the plan a new run pins. */
export interface LiveEntry {
  dag_id: string;
  source_blob: string;
  source_sha256: string;
  /** `plans/<dag_id>/<source_sha256>.json` in the state container. */
  plan_blob: string;
  schedule: ScheduleIR;
  timezone: string;
  max_active_runs: number;
  /** Data triggers: new blobs matching one start a run (absent in entries written before them). */
  triggers?: TriggerIR[];
  /** A paused DAG starts no run from a schedule or a trigger. */
  is_paused?: boolean;
  /** The live version: 1, 2, ... counted per DAG (absent in entries written before it: version 1). */
  version?: number;
  updated_at: string;
}

/** The diagnostics of a DAG's last refused upload; `id` stays the same while the DAG keeps failing. */
export interface ErrorsReport {
  id: number;
  source_blob: string;
  timestamp: string;
  diagnostics: Diagnostic[];
}

const isNotFound = (e: unknown): boolean => (e as { statusCode?: number }).statusCode === 404;

/**
 * DAG registry in Azure Blob Storage: plans stored by content hash (never overwritten, so a run's
 * pinned version stays readable), one `live/<dag_id>.json` pointer per DAG, and the diagnostics
 * of the last rejected upload in `errors/<dag_id>.json`.
 */
export class BlobPlanStore {
  readonly sources: ContainerClient;
  readonly state: ContainerClient;
  /** Conditional JSON records in the state container (live entries, errors, runs, backfills, counters). */
  readonly records: BlobRecords;

  constructor(service: BlobServiceClient) {
    this.sources = service.getContainerClient(SOURCES_CONTAINER);
    this.state = service.getContainerClient(STATE_CONTAINER);
    this.records = new BlobRecords(this.state);
  }

  async ensureContainers(): Promise<void> {
    await this.sources.createIfNotExists();
    await this.state.createIfNotExists();
  }

  async readSource(blob: string): Promise<string> {
    return (await this.sources.getBlobClient(blob).downloadToBuffer()).toString('utf8');
  }

  async putPlan(plan: PlanIR, text: string): Promise<string> {
    const name = `plans/${plan.dag_id}/${plan.source_sha256}.json`;
    await this.write(name, text);
    return name;
  }

  async getPlan(entry: LiveEntry): Promise<PlanIR> {
    return JSON.parse(await this.read(entry.plan_blob)) as PlanIR;
  }

  async setLive(entry: LiveEntry): Promise<void> {
    await this.write(`live/${entry.dag_id}.json`, JSON.stringify(entry));
  }

  async getLive(dagId: string): Promise<LiveEntry | null> {
    try {
      return JSON.parse(await this.read(`live/${dagId}.json`)) as LiveEntry;
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  /** Pauses or unpauses a DAG (a conditional write, so a concurrent registration is not undone); null when not registered. */
  async setPaused(dagId: string, paused: boolean): Promise<LiveEntry | null> {
    for (;;) {
      const current = await this.records.read<LiveEntry>(`live/${dagId}.json`);
      if (current === null) return null;
      const entry: LiveEntry = { ...current.value, is_paused: paused };
      if (await this.records.write(`live/${dagId}.json`, entry, current.etag)) return entry;
    }
  }

  async listLive(): Promise<LiveEntry[]> {
    const entries: LiveEntry[] = [];
    for await (const blob of this.state.listBlobsFlat({ prefix: 'live/' })) {
      entries.push(JSON.parse(await this.read(blob.name)) as LiveEntry);
    }
    return entries.sort((a, b) => a.dag_id.localeCompare(b.dag_id));
  }

  /** Records a refused upload; a DAG refused again keeps its report's id. */
  async putErrors(
    dagId: string,
    report: { source_blob: string; diagnostics: Diagnostic[] },
    now: Date,
  ): Promise<ErrorsReport> {
    const name = `errors/${dagId}.json`;
    for (;;) {
      const current = await this.records.read<Partial<ErrorsReport>>(name);
      const id = current?.value.id ?? (await this.records.nextId('import_errors'));
      const next: ErrorsReport = { id, timestamp: now.toISOString(), ...report };
      if (await this.records.write(name, next, current?.etag ?? null)) return next;
    }
  }

  async getErrors(dagId: string): Promise<ErrorsReport | null> {
    return (await this.records.read<ErrorsReport>(`errors/${dagId}.json`))?.value ?? null;
  }

  async listErrors(): Promise<ErrorsReport[]> {
    const names = await this.records.names('errors/');
    const reports = await Promise.all(names.map((n) => this.records.read<ErrorsReport>(n)));
    return reports.flatMap((r) => (r === null ? [] : [r.value])).sort((a, b) => a.id - b.id);
  }

  async clearErrors(dagId: string): Promise<void> {
    await this.state
      .deleteBlob(`errors/${dagId}.json`, { deleteSnapshots: 'include' })
      .catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
  }

  private async read(name: string): Promise<string> {
    return (await this.state.getBlobClient(name).downloadToBuffer()).toString('utf8');
  }

  private async write(name: string, text: string): Promise<void> {
    await this.state.getBlockBlobClient(name).upload(text, Buffer.byteLength(text), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
  }
}
