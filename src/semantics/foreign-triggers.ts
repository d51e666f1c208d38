import type { TriggerIR } from '../compiler/ir.ts';
import type { Diagnostic } from '../dag/diagnostics.ts';
import { locate, parseFile } from '../dag/parse.ts';
import type { TriggerKind } from './data-triggers.ts';

const SERVED: Record<'aws' | 'azure', TriggerKind> = { aws: 's3', azure: 'blob' };
const USE_INSTEAD: Record<TriggerKind, string> = {
  s3: 's3: { bucket, prefix, suffix }',
  blob: 'blob: { container, prefix, suffix }',
};
const CLOUD_OF: Record<TriggerKind, string> = { s3: 'AWS', blob: 'Azure' };

/**
 * Triggers a deployment cannot serve, refused at registration since they would never fire: one of
 * the other cloud, or one watching a bucket or container airless keeps for itself (`reserved`).
 */
export function foreignTriggerDiagnostics(
  triggers: readonly TriggerIR[],
  cloud: 'aws' | 'azure',
  text: string,
  file: string,
  reserved: readonly string[] = [],
): Diagnostic[] {
  const served = SERVED[cloud];
  const other: TriggerKind = served === 's3' ? 'blob' : 's3';
  const problems = triggers.flatMap((t, i) => {
    if (!(served in t)) {
      const message = `${other} triggers run on ${CLOUD_OF[other]} only; on ${CLOUD_OF[served]} use ${USE_INSTEAD[served]}`;
      return [{ path: ['triggers', i], message }];
    }
    const at = 's3' in t ? ['s3', 'bucket', t.s3.bucket] : ['blob', 'container', t.blob.container];
    if (!reserved.includes(at[2]!)) return [];
    const message = `'${at[2]}' is where airless keeps DAG files and its own records; it never starts runs`;
    return [{ path: ['triggers', i, at[0]!, at[1]!], message }];
  });
  if (problems.length === 0) return [];
  const parsed = parseFile(text, file);
  return problems.map(({ path, message }) => ({
    file,
    ...locate(parsed, path),
    path,
    message: `${path.map((p, j) => (typeof p === 'number' ? `[${p}]` : j === 0 ? p : `.${p}`)).join('')}: ${message}`,
  }));
}
