import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { PlanIR, TriggerIR } from '../../compiler/ir.ts';
import type { EventBridgeSchedule } from './schedule-expression.ts';

/**
 * The DAG bucket is the registry: users upload under `dags/`; register-dag writes everything else.
 *   dags/<any>.yaml|yml|json       DAG sources (the GitOps or console upload)
 *   compiled/<dag_id>.asl.json     the ASL deployed (with the handler ARN substituted)
 *   compiled/<dag_id>.plan.json    the IR: params, max_active_runs, triggers the API reads
 *   compiled/<dag_id>.v<n>.plan.json  the IR of state machine version n (a run reads its own version's)
 *   compiled/<dag_id>.report.json  the compiler's report
 *   registry/<dag_id>.json         RegistryEntry: what is live
 *   errors/<dag_id>.json           diagnostics of the last rejected upload
 */
export const SOURCE_PREFIX = 'dags/';
export const isDagSourceKey = (key: string): boolean =>
  key.startsWith(SOURCE_PREFIX) && /\.(ya?ml|json)$/i.test(key) && !key.endsWith('/');

export const bucketKeys = {
  asl: (dagId: string) => `compiled/${dagId}.asl.json`,
  plan: (dagId: string) => `compiled/${dagId}.plan.json`,
  versionPlan: (dagId: string, version: number) => `compiled/${dagId}.v${version}.plan.json`,
  report: (dagId: string) => `compiled/${dagId}.report.json`,
  entry: (dagId: string) => `registry/${dagId}.json`,
  errors: (dagId: string) => `errors/${dagId}.json`,
};

export interface ScheduleEntry extends EventBridgeSchedule {
  name: string;
}

/** A child state machine of a DAG split across several (the parent starts it with `.sync:2`). */
export interface ChildMachine {
  name: string;
  state_machine_arn: string;
  /** The version the live parent version starts. */
  version_arn: string;
}

export interface RegistryEntry {
  dag_id: string;
  source_key: string;
  source_sha256: string;
  /** sha256 of the deployed definition: a new airless version that compiles differently republishes. */
  definition_sha256: string;
  state_machine_arn: string;
  version_arn: string;
  alias_arn: string;
  /** The child machines of a split DAG, in `Child_<n>` order; absent or empty for one machine. */
  children?: ChildMachine[];
  /** The DAG's `schedule` as written, or null. */
  schedule: string | null;
  schedules: ScheduleEntry[];
  max_active_runs: number;
  /** Data triggers: new objects matching one start a run (data-trigger.ts reads them here). */
  triggers: TriggerIR[];
  /** False once the source file is removed: schedules disabled, runs refused, history kept. */
  active: boolean;
  /** Paused through the API: schedules disabled, data triggers ignored; kept across registrations. */
  is_paused?: boolean;
  updated_at: string;
}

const isMissing = (error: unknown): boolean =>
  error instanceof NoSuchKey ||
  error instanceof NotFound ||
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

export class DagBucket {
  constructor(
    readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  /** The object's text, or null when it does not exist. */
  async getText(key: string): Promise<string | null> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await out.Body!.transformToString('utf8');
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async getJson<T>(key: string): Promise<T | null> {
    const text = await this.getText(key);
    return text === null ? null : (JSON.parse(text) as T);
  }

  async putText(key: string, body: string, contentType = 'application/json'): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  async putJson(key: string, value: unknown): Promise<void> {
    await this.putText(key, `${JSON.stringify(value, null, 2)}\n`);
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  getEntry = (dagId: string) => this.getJson<RegistryEntry>(bucketKeys.entry(dagId));
  getPlan = (dagId: string) => this.getJson<PlanIR>(bucketKeys.plan(dagId));

  /** The keys of the `.json` objects under a prefix. */
  async listJsonKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      keys.push(...(page.Contents ?? []).map((o) => o.Key!).filter((k) => k.endsWith('.json')));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  /** Every registry entry, sorted by dag_id. */
  async listEntries(): Promise<RegistryEntry[]> {
    const keys = await this.listJsonKeys('registry/');
    const entries = await Promise.all(keys.map((k) => this.getJson<RegistryEntry>(k)));
    return entries
      .filter((e): e is RegistryEntry => e !== null)
      .sort((a, b) => (a.dag_id < b.dag_id ? -1 : 1));
  }
}
