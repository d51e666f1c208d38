import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRunStore } from '../../src/handlers/api/dynamodb-run-store.ts';
import type { RunSpec } from '../../src/handlers/api/run-store.ts';

/*
 * DynamoDB has no local engine here (DynamoDB Local needs Java and a download), so the client is
 * mocked with aws-sdk-client-mock and these tests pin the exact requests: the conditions are what
 * make the queue and the slot counter safe under concurrency and at-least-once events.
 */
const TABLE = 'runs';
const ddb = mockClient(DynamoDBClient);
const store = new DynamoDbRunStore(new DynamoDBClient({ region: 'eu-west-1' }), TABLE);
const spec: RunSpec = {
  dag_id: 'etl',
  run_id: 'r1',
  run_type: 'manual',
  logical_date: '2026-11-21T12:00:00+00:00',
  conf: { limit: 1 },
  params: { limit: 1 },
  request_hash: 'abc',
  queued_at: '2026-11-21T12:00:00.000Z',
  execution_name: 'r1',
};
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'no', $metadata: {} });
const cancelled = () =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
  });
const inputs = (command: Parameters<typeof ddb.commandCalls>[0]) =>
  ddb.commandCalls(command).map((c) => c.args[0].input);

beforeEach(() => ddb.reset());

describe('DynamoDbRunStore', () => {
  it('creates the run and its queue entry in one transaction, only if the run id is new', async () => {
    ddb.on(TransactWriteItemsCommand).resolves({});
    expect((await store.createQueuedRun(spec)).created).toBe(true);
    expect(inputs(TransactWriteItemsCommand)).toEqual([
      {
        TransactItems: [
          {
            Put: {
              TableName: TABLE,
              Item: {
                pk: { S: 'DAG#etl' },
                sk: { S: 'RUN#r1' },
                spec: { S: JSON.stringify(spec) },
                state: { S: 'queued' },
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: TABLE,
              Item: { pk: { S: 'QUEUE#etl' }, sk: { S: '2026-11-21T12:00:00.000Z#r1' }, run_id: { S: 'r1' } },
            },
          },
        ],
      },
    ]);
  });

  it('returns the stored run when the id exists', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(cancelled());
    ddb.on(GetItemCommand).resolves({
      Item: {
        pk: { S: 'DAG#etl' },
        sk: { S: 'RUN#r1' },
        spec: { S: JSON.stringify(spec) },
        state: { S: 'running' },
        execution_arn: { S: 'arn:x' },
        start_date: { S: '2026-11-21T12:00:01+00:00' },
      },
    });
    expect(await store.createQueuedRun(spec)).toEqual({
      created: false,
      run: {
        ...spec,
        state: 'running',
        execution_arn: 'arn:x',
        start_date: '2026-11-21T12:00:01+00:00',
        end_date: null,
      },
    });
    expect(inputs(GetItemCommand)).toEqual([
      { TableName: TABLE, Key: { pk: { S: 'DAG#etl' }, sk: { S: 'RUN#r1' } }, ConsistentRead: true },
    ]);
  });

  it('takes a slot only while fewer than max are active', async () => {
    ddb.on(UpdateItemCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
    expect(await store.tryAcquireSlot('etl', 2)).toBe(true);
    expect(await store.tryAcquireSlot('etl', 2)).toBe(false);
    expect(inputs(UpdateItemCommand)[0]).toEqual({
      TableName: TABLE,
      Key: { pk: { S: 'DAG#etl' }, sk: { S: 'SLOTS' } },
      UpdateExpression: 'ADD active :one',
      ConditionExpression: 'attribute_not_exists(active) OR active < :max',
      ExpressionAttributeValues: { ':one': { N: '1' }, ':max': { N: '2' } },
    });
  });

  it('pops the oldest queue entry with a delete that only one caller can win', async () => {
    const head = { pk: { S: 'QUEUE#etl' }, sk: { S: '2026-11-21T12:00:00.000Z#r1' }, run_id: { S: 'r1' } };
    const next = { pk: { S: 'QUEUE#etl' }, sk: { S: '2026-11-21T12:00:01.000Z#r2' }, run_id: { S: 'r2' } };
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [head] })
      .resolvesOnce({ Items: [next] });
    ddb.on(DeleteItemCommand).rejectsOnce(conditionFailed()).resolvesOnce({});
    expect(await store.dequeueOldest('etl')).toBe('r2'); // another caller took r1 first
    expect(inputs(QueryCommand)[0]).toEqual({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: 'QUEUE#etl' } },
      ConsistentRead: true,
      ScanIndexForward: true,
      Limit: 1,
    });
    expect(inputs(DeleteItemCommand)).toEqual([
      { TableName: TABLE, Key: { pk: head.pk, sk: head.sk }, ConditionExpression: 'attribute_exists(pk)' },
      { TableName: TABLE, Key: { pk: next.pk, sk: next.sk }, ConditionExpression: 'attribute_exists(pk)' },
    ]);
  });

  it('ends a run and frees its slot atomically, once', async () => {
    ddb.on(TransactWriteItemsCommand).resolvesOnce({}).rejectsOnce(cancelled());
    expect(await store.finish('etl', 'r1', 'failed', '2026-11-21T13:00:00+00:00', true)).toBe(true);
    expect(await store.finish('etl', 'r1', 'failed', '2026-11-21T13:00:00+00:00', true)).toBe(false);
    expect(inputs(TransactWriteItemsCommand)[0]).toEqual({
      TransactItems: [
        {
          Update: {
            TableName: TABLE,
            Key: { pk: { S: 'DAG#etl' }, sk: { S: 'RUN#r1' } },
            UpdateExpression: 'SET #state = :final, end_date = :end',
            ConditionExpression: '#state IN (:queued, :running)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: {
              ':final': { S: 'failed' },
              ':end': { S: '2026-11-21T13:00:00+00:00' },
              ':queued': { S: 'queued' },
              ':running': { S: 'running' },
            },
          },
        },
        {
          Update: {
            TableName: TABLE,
            Key: { pk: { S: 'DAG#etl' }, sk: { S: 'SLOTS' } },
            UpdateExpression: 'ADD active :minus',
            ConditionExpression: 'active > :zero',
            ExpressionAttributeValues: { ':minus': { N: '-1' }, ':zero': { N: '0' } },
          },
        },
      ],
    });
  });

  it('marks a run running only from queued, and removes a queued entry only once', async () => {
    ddb.on(UpdateItemCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
    expect(await store.markRunning('etl', 'r1', 'arn:x', '2026-11-21T12:00:01+00:00')).toBe(true);
    expect(await store.markRunning('etl', 'r1', 'arn:x', '2026-11-21T12:00:01+00:00')).toBe(false);
    expect(inputs(UpdateItemCommand)[0]).toMatchObject({
      ConditionExpression: '#state = :queued',
      UpdateExpression: 'SET #state = :running, execution_arn = :arn, start_date = :start',
    });
    ddb.on(DeleteItemCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
    expect(await store.removeFromQueue(spec)).toBe(true);
    expect(await store.removeFromQueue(spec)).toBe(false);
  });

  it('passes other errors through', async () => {
    ddb.on(UpdateItemCommand).rejects(new Error('ProvisionedThroughputExceeded'));
    await expect(store.tryAcquireSlot('etl', 1)).rejects.toThrow('ProvisionedThroughputExceeded');
  });
});
