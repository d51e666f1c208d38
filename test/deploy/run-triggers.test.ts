import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunDeps } from '../../src/aws/run-queue.ts';
import { onObjectCreated, onScheduleTick } from '../../src/aws/run-triggers.ts';
import { bucketKeys, DagBucket } from '../../src/aws/registry/dag-bucket.ts';
import { scheduledRunInput } from '../../src/aws/registry/schedule-sync.ts';
import { MemoryRunStore } from './memory-run-store.ts';
import { executionArnOf, seedDag } from './registry-fixture.ts';
import { type LocalS3, startS3 } from './s3rver.ts';

/*
 * Data triggers from real object events (s3rver on loopback emits S3 notifications for real
 * uploads) and schedule ticks as EventBridge Scheduler delivers them; Step Functions is mocked
 * (aws-sdk-client-mock), as no local engine serves StartExecution.
 */
const DAG_BUCKET = 'airless-dags';
const LANDING = 'landing';
const INGEST = `dag_id: ingest
max_active_runs: 4
params:
  bucket: { type: string }
triggers:
  - s3: { bucket: ${LANDING}, prefix: incoming/, suffix: .csv }
tasks:
  load: { operator: empty }
`;
const NIGHTLY = `dag_id: nightly
schedule: "0 3 * * *"
timezone: Europe/Berlin
params:
  region: { type: string, default: eu }
tasks:
  load: { operator: empty }
`;

let s3: LocalS3;
let deps: RunDeps;
const sfn = mockClient(SFNClient);
const startedInputs = () =>
  sfn.commandCalls(StartExecutionCommand).map((c) => ({
    name: c.args[0].input.name,
    input: JSON.parse(c.args[0].input.input!) as { run: Record<string, unknown> },
  }));

async function put(bucket: string, key: string, body: string) {
  const before = s3.events.length;
  const out = await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return { event: s3.events[before], etag: out.ETag!.replace(/"/g, '') };
}

beforeAll(async () => {
  s3 = await startS3([DAG_BUCKET, LANDING]);
  const bucket = new DagBucket(s3.client, DAG_BUCKET);
  await seedDag(bucket, INGEST);
  await seedDag(bucket, NIGHTLY);
  deps = {
    store: new MemoryRunStore(),
    bucket,
    sfn: new SFNClient({ region: 'eu-west-1' }),
    now: () => new Date(),
  };
});
afterAll(async () => {
  await s3.close();
});
beforeEach(() => {
  sfn.reset();
  sfn.on(StartExecutionCommand).callsFake((input: { name: string; stateMachineArn: string }) => ({
    executionArn: executionArnOf(input.stateMachineArn.includes('ingest') ? 'ingest' : 'nightly', input.name),
    startDate: new Date(),
  }));
  deps.store = new MemoryRunStore();
});

describe('data triggers', () => {
  it('a new matching object starts a run with conf {bucket, key, size, etag}; a redelivered event does not start another', async () => {
    const body = 'id,total\n1,9.5\n';
    const { event, etag } = await put(LANDING, 'incoming/2026/11/21/orders.csv', body);

    const results = await onObjectCreated(deps, event, DAG_BUCKET);

    expect(results.map((r) => [r.dag_id, r.outcome.kind])).toEqual([['ingest', 'created']]);
    const [start] = startedInputs();
    expect(start!.input.run).toMatchObject({
      dag_id: 'ingest',
      conf: { bucket: LANDING, key: 'incoming/2026/11/21/orders.csv', size: Buffer.byteLength(body), etag },
      params: { bucket: LANDING },
    });
    expect(start!.input.run.run_id).toMatch(/^asset_triggered__[0-9a-f]{24}$/);

    const again = await onObjectCreated(deps, event, DAG_BUCKET);
    expect(again.map((r) => r.outcome.kind)).toEqual(['existing']);
    expect(startedInputs()).toHaveLength(1);
  });

  it('a paused DAG’s trigger starts nothing', async () => {
    const bucket = deps.bucket;
    const entry = (await bucket.getEntry('ingest'))!;
    await bucket.putJson(bucketKeys.entry('ingest'), { ...entry, is_paused: true });
    try {
      const { event } = await put(LANDING, 'incoming/2026/11/22/paused.csv', 'x');
      expect(await onObjectCreated(deps, event, DAG_BUCKET)).toEqual([]);
      expect(startedInputs()).toEqual([]);
    } finally {
      await bucket.putJson(bucketKeys.entry('ingest'), entry);
    }
  });

  it('ignores objects outside the prefix or suffix, folders, and airless’ own writes', async () => {
    for (const [bucket, key] of [
      [LANDING, 'incoming/orders.json'],
      [LANDING, 'archive/orders.csv'],
      [LANDING, 'incoming/sub/'],
      [DAG_BUCKET, 'compiled/ingest.asl.json'],
    ] as const) {
      const { event } = await put(bucket, key, 'x');
      expect(await onObjectCreated(deps, event, DAG_BUCKET), key).toEqual([]);
    }
    expect(startedInputs()).toEqual([]);
  });

  it('reads EventBridge "Object Created" events as well', async () => {
    const results = await onObjectCreated(
      deps,
      {
        source: 'aws.s3',
        'detail-type': 'Object Created',
        detail: {
          bucket: { name: LANDING },
          object: { key: 'incoming/a b.csv', size: 3, etag: 'e1', sequencer: '01' },
        },
      },
      DAG_BUCKET,
    );
    expect(results.map((r) => r.outcome.kind)).toEqual(['created']);
    expect(startedInputs()[0]!.input.run.conf).toEqual({
      bucket: LANDING,
      key: 'incoming/a b.csv',
      size: 3,
      etag: 'e1',
    });
  });
});

describe('schedule ticks', () => {
  const tick = (time: string) =>
    JSON.parse(scheduledRunInput('nightly').replace('<aws.scheduler.scheduled-time>', time));

  it('start a run whose logical_date is the scheduled time, once per (dag, logical_date)', async () => {
    const first = await onScheduleTick(deps, tick('2026-11-21T02:00:00Z'));
    expect(first.kind).toBe('created');
    expect(startedInputs()[0]!.input.run).toEqual({
      dag_id: 'nightly',
      run_id: 'scheduled__2026-11-21T02:00:00+00:00',
      logical_date: '2026-11-21T02:00:00+00:00',
      conf: {},
      params: { region: 'eu' },
    });
    // A Scheduler retry, or the other half of a day-of-month-or-week cron, at the same time.
    expect((await onScheduleTick(deps, tick('2026-11-21T02:00:00Z'))).kind).toBe('existing');
    expect((await onScheduleTick(deps, tick('2026-11-22T02:00:00Z'))).kind).toBe('created');
    expect(startedInputs().map((s) => s.input.run.run_id)).toEqual([
      'scheduled__2026-11-21T02:00:00+00:00',
      'scheduled__2026-11-22T02:00:00+00:00',
    ]);
  });

  it('fail loudly for a DAG that is not registered, so Scheduler retries and the error is visible', async () => {
    await expect(
      onScheduleTick(deps, { dag_id: 'gone', logical_date: '2026-11-21T02:00:00Z' }),
    ).rejects.toThrow(/scheduled run of gone .* refused/);
  });
});
