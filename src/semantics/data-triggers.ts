import type { TriggerIR } from '../compiler/ir.ts';
import type { Diagnostic } from '../dag/diagnostics.ts';
import { locate, parseFile } from '../dag/parse.ts';

/** The kind of data trigger each cloud serves: S3 objects on AWS, blobs on Azure. */
export type TriggerKind = 's3' | 'blob';
export const TRIGGER_KIND: Record<'aws' | 'azure', TriggerKind> = { aws: 's3', azure: 'blob' };

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

const USE_INSTEAD: Record<TriggerKind, string> = {
  s3: 's3: { bucket, prefix, suffix }',
  blob: 'blob: { container, prefix, suffix }',
};
const CLOUD_OF: Record<TriggerKind, string> = { s3: 'AWS', blob: 'Azure' };

/**
 * A trigger the deployment's cloud cannot serve is refused at registration, at its entry: it
 * would otherwise never fire.
 */
export function foreignTriggerDiagnostics(
  triggers: readonly TriggerIR[],
  cloud: 'aws' | 'azure',
  text: string,
  file: string,
): Diagnostic[] {
  const served = TRIGGER_KIND[cloud];
  const foreign = triggers.flatMap((t, i) => (served in t ? [] : [i]));
  if (foreign.length === 0) return [];
  const parsed = parseFile(text, file);
  const other: TriggerKind = served === 's3' ? 'blob' : 's3';
  return foreign.map((i) => {
    const path = ['triggers', i];
    return {
      file,
      ...locate(parsed, path),
      path,
      message: `triggers[${i}]: ${other} triggers run on ${CLOUD_OF[other]} only; on ${CLOUD_OF[served]} use ${USE_INSTEAD[served]}`,
    };
  });
}
