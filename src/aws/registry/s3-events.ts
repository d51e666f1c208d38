import * as z from '../../runs/zod-mini.ts';

/** One object event, from either an S3 notification (Records[]) or an EventBridge "Object Created/Deleted" event. */
export interface ObjectEvent {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  /** Orders events of one key; distinguishes two uploads of identical bytes. */
  sequencer: string;
  created: boolean;
}

const NotificationSchema = z.object({
  Records: z.array(
    z.object({
      eventName: z.string(),
      s3: z.object({
        bucket: z.object({ name: z.string() }),
        object: z.object({
          key: z.string(),
          size: z.optional(z.number()),
          eTag: z.optional(z.string()),
          sequencer: z.optional(z.string()),
        }),
      }),
    }),
  ),
});

const EventBridgeSchema = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.enum(['Object Created', 'Object Deleted']),
  detail: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({
      key: z.string(),
      size: z.optional(z.number()),
      etag: z.optional(z.string()),
      sequencer: z.optional(z.string()),
    }),
  }),
});

/** S3 notifications URL-encode keys (space as '+'); EventBridge events do not. */
const decodeNotificationKey = (key: string): string => decodeURIComponent(key.replace(/\+/g, ' '));
const unquote = (etag: string | undefined): string => (etag ?? '').replace(/^"|"$/g, '');

export function objectEvents(event: unknown): ObjectEvent[] {
  const bridged = EventBridgeSchema.safeParse(event);
  if (bridged.success) {
    const { detail } = bridged.data;
    return [
      {
        bucket: detail.bucket.name,
        key: detail.object.key,
        size: detail.object.size ?? 0,
        etag: unquote(detail.object.etag),
        sequencer: detail.object.sequencer ?? '',
        created: bridged.data['detail-type'] === 'Object Created',
      },
    ];
  }
  const notification = NotificationSchema.safeParse(event);
  if (notification.success) {
    return notification.data.Records.map((r) => ({
      bucket: r.s3.bucket.name,
      key: decodeNotificationKey(r.s3.object.key),
      size: r.s3.object.size ?? 0,
      etag: unquote(r.s3.object.eTag),
      sequencer: r.s3.object.sequencer ?? '',
      created: r.eventName.startsWith('ObjectCreated'),
    }));
  }
  throw new Error(
    'not an S3 object event (neither an S3 notification nor an EventBridge Object Created/Deleted event)',
  );
}
