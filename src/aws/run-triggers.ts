import { createHash } from 'node:crypto';
import { isDagSourceKey } from './registry/dag-bucket.ts';
import { triggerMatches } from '../semantics/data-triggers.ts';
import { objectEvents } from './registry/s3-events.ts';
import { type RunDeps, type TriggerOutcome, triggerRun } from './run-queue.ts';
import * as z from '../runs/zod-mini.ts';

/** Prefixes of the DAG bucket that airless itself writes: never data. */
const RESERVED_PREFIXES = ['compiled/', 'registry/', 'errors/'];

const ScheduledEventSchema = z.object({
  dag_id: z.string().check(z.minLength(1)),
  logical_date: z.string().check(z.minLength(1)),
});

/**
 * An EventBridge Scheduler tick: `logical_date` is the scheduled time, so `ds` is the day the
 * schedule meant, and the run id `scheduled__<logical_date>` makes a repeated tick (a retry, or
 * both halves of a day-of-month-or-day-of-week cron) the same run.
 */
export async function onScheduleTick(
  deps: RunDeps,
  event: unknown,
): Promise<TriggerOutcome | { kind: 'paused' }> {
  const tick = ScheduledEventSchema.parse(event);
  // The schedules of a paused DAG are disabled; a tick already under way when it paused starts nothing.
  if ((await deps.bucket.getEntry(tick.dag_id))?.is_paused === true) return { kind: 'paused' };
  const outcome = await triggerRun(deps, {
    dag_id: tick.dag_id,
    run_type: 'scheduled',
    logical_date: tick.logical_date,
  });
  if (outcome.kind === 'invalid' || outcome.kind === 'not_found') {
    throw new Error(
      `scheduled run of ${tick.dag_id} at ${tick.logical_date} refused: ${JSON.stringify(outcome)}`,
    );
  }
  return outcome;
}

/**
 * New objects start a run of every active, unpaused DAG whose trigger matches, with conf
 * {bucket, key, size, etag}. The run id comes from the object's identity, so a redelivered event
 * does not start a second run.
 */
export async function onObjectCreated(
  deps: RunDeps,
  event: unknown,
  dagBucketName: string,
): Promise<Array<{ dag_id: string; outcome: TriggerOutcome }>> {
  const objects = objectEvents(event).filter(
    (o) =>
      o.created &&
      !(
        o.bucket === dagBucketName &&
        (isDagSourceKey(o.key) || RESERVED_PREFIXES.some((p) => o.key.startsWith(p)))
      ),
  );
  if (objects.length === 0) return [];
  const entries = (await deps.bucket.listEntries()).filter((e) => e.active && e.is_paused !== true);
  const results: Array<{ dag_id: string; outcome: TriggerOutcome }> = [];
  for (const object of objects) {
    const identity = createHash('sha256')
      .update([object.bucket, object.key, object.etag, object.sequencer].join('\u0000'))
      .digest('hex')
      .slice(0, 24);
    const data = { kind: 's3', at: object.bucket, name: object.key } as const;
    for (const entry of entries.filter((e) => e.triggers.some((t) => triggerMatches(t, data)))) {
      const outcome = await triggerRun(deps, {
        dag_id: entry.dag_id,
        run_type: 'asset_triggered',
        dag_run_id: `asset_triggered__${identity}`,
        conf: { bucket: object.bucket, key: object.key, size: object.size, etag: object.etag },
      });
      results.push({ dag_id: entry.dag_id, outcome });
    }
  }
  return results;
}
