import { posix } from 'node:path';
import { stableStringify } from '../compiler/serialize.ts';
import type { Diagnostic } from '../dag/diagnostics.ts';
import { checkUpload } from '../runs/registration.ts';
import { type BlobPlanStore, type LiveEntry, SOURCES_CONTAINER, STATE_CONTAINER } from './plan-store.ts';

export type Registration =
  | { ok: true; entry: LiveEntry }
  | { ok: false; dag_id: string; diagnostics: Diagnostic[] }
  | { ok: 'ignored'; reason: string };

/** Only DAG files at the top of the container count; anything else there is not a DAG. */
export const isDagSourceBlob = (name: string): boolean =>
  !name.includes('/') && /\.(ya?ml|json)$/i.test(name);

/**
 * The blob trigger's work: validate an uploaded DAG file, build its plan (the IR the generic
 * orchestrator reads), store it by content hash and make it live. An invalid upload leaves the live
 * plan as it was and writes its diagnostics to errors/<dag_id>.json. The AWS-only limits (ASL
 * history and payload bounds) do not apply: Durable polling continues as new.
 */
export async function registerDagBlob(
  store: BlobPlanStore,
  blob: string,
  text: string,
  now: Date,
): Promise<Registration> {
  if (!isDagSourceBlob(blob))
    return { ok: 'ignored', reason: `${blob} is not a DAG file at the top of the container` };
  const file = posix.basename(blob);
  const checked = checkUpload(text, file, 'azure', [SOURCES_CONTAINER, STATE_CONTAINER]);
  if (!checked.ok) {
    await store.putErrors(checked.dagId, { source_blob: blob, diagnostics: checked.diagnostics }, now);
    return { ok: false, dag_id: checked.dagId, diagnostics: checked.diagnostics };
  }
  const { ir } = checked;
  const plan_blob = await store.putPlan(ir, stableStringify(ir));
  const previous = await store.getLive(ir.dag_id);
  const entry: LiveEntry = {
    dag_id: ir.dag_id,
    source_blob: blob,
    source_sha256: ir.source_sha256,
    plan_blob,
    schedule: ir.schedule,
    timezone: ir.timezone,
    max_active_runs: ir.max_active_runs,
    triggers: ir.triggers,
    // A new version of a paused DAG stays paused.
    ...(previous?.is_paused === true ? { is_paused: true } : {}),
    // The same source again is the same version.
    version:
      previous === null ? 1 : (previous.version ?? 1) + (previous.source_sha256 === ir.source_sha256 ? 0 : 1),
    updated_at: now.toISOString(),
  };
  await store.setLive(entry);
  await store.clearErrors(ir.dag_id);
  return { ok: true, entry };
}
