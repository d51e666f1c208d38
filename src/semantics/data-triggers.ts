import type { TriggerIR } from '../compiler/ir.ts';

// No parser here: the AWS data-trigger Lambda loads this at cold start.

/** The kind of data trigger each cloud serves: S3 objects on AWS, blobs on Azure. */
export type TriggerKind = 's3' | 'blob';

/** A new object or blob: its bucket or container, and its key or name. */
export interface CreatedData {
  kind: TriggerKind;
  at: string;
  name: string;
}

/**
 * Whether a new object or blob starts a run of a DAG with this trigger: same kind, same bucket or
 * container, the name has the prefix and the suffix, and it is not a folder marker.
 */
export function triggerMatches(trigger: TriggerIR, data: CreatedData): boolean {
  const t =
    's3' in trigger
      ? { kind: 's3', at: trigger.s3.bucket, ...trigger.s3 }
      : { kind: 'blob', at: trigger.blob.container, ...trigger.blob };
  return (
    t.kind === data.kind &&
    t.at === data.at &&
    data.name.startsWith(t.prefix) &&
    data.name.endsWith(t.suffix) &&
    !data.name.endsWith('/')
  );
}
