import { createHash } from 'node:crypto';
import * as z from '../runs/zod-mini.ts';
import { triggerMatches } from '../semantics/data-triggers.ts';
import { SOURCES_CONTAINER, STATE_CONTAINER } from './plan-store.ts';
import { type RunsDeps, type TriggerOutcome, triggerDurableRun } from './runs-api.ts';

export const BLOB_CREATED = 'Microsoft.Storage.BlobCreated';

/** A blob's subject: container names are 3-63 characters, blob names at most 1024. */
const SUBJECT = /^\/blobServices\/default\/containers\/([a-z0-9-]{3,63})\/blobs\/(.{1,1024})$/s;

/** Event Grid's schema (eventType) or CloudEvents 1.0 (type); both carry subject and data alike. */
const BlobCreatedSchema = z.object({
  subject: z.string(),
  data: z.object({
    contentLength: z.number().check(z.int(), z.nonnegative()),
    eTag: z.string().check(z.minLength(1), z.maxLength(256)),
  }),
});

export interface CreatedBlob {
  container: string;
  name: string;
  size: number;
  etag: string;
}

/** The blob a BlobCreated event is about; null for other event types; an error when malformed. */
export function createdBlob(event: unknown): CreatedBlob | null {
  const type = (event as { eventType?: unknown; type?: unknown } | null) ?? {};
  if ((type.eventType ?? type.type) !== BLOB_CREATED) return null;
  const parsed = BlobCreatedSchema.safeParse(event);
  const at = parsed.success ? SUBJECT.exec(parsed.data.subject) : null;
  if (!parsed.success || at === null) {
    throw new Error(
      `malformed ${BLOB_CREATED} event: needs subject /blobServices/default/containers/<c>/blobs/<name>, data.contentLength and data.eTag`,
    );
  }
  return {
    container: at[1]!,
    name: at[2]!,
    size: parsed.data.data.contentLength,
    etag: parsed.data.data.eTag,
  };
}

/**
 * A new blob starts a run of every registered, unpaused DAG whose trigger matches, with conf
 * {container, name, size, etag}. The run id comes from the blob's identity, so a redelivered event
 * finds the run it started (same orchestration instance) instead of starting another.
 */
export async function onBlobCreated(
  deps: RunsDeps,
  event: unknown,
): Promise<Array<{ dag_id: string; outcome: TriggerOutcome }>> {
  const blob = createdBlob(event);
  // airless's own containers (DAG uploads, plans and records) are never data.
  if (blob === null || blob.container === SOURCES_CONTAINER || blob.container === STATE_CONTAINER) return [];
  const data = { kind: 'blob', at: blob.container, name: blob.name } as const;
  const entries = (await deps.store.listLive()).filter(
    (e) => e.is_paused !== true && (e.triggers ?? []).some((t) => triggerMatches(t, data)),
  );
  if (entries.length === 0) return [];
  const identity = createHash('sha256')
    .update([blob.container, blob.name, blob.etag].join('\u0000'))
    .digest('hex')
    .slice(0, 24);
  const results: Array<{ dag_id: string; outcome: TriggerOutcome }> = [];
  for (const entry of entries) {
    const outcome = await triggerDurableRun(deps, {
      dag_id: entry.dag_id,
      run_type: 'asset_triggered',
      dag_run_id: `asset_triggered__${identity}`,
      conf: { ...blob },
    });
    results.push({ dag_id: entry.dag_id, outcome });
  }
  return results;
}
