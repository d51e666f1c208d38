import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { RunRecord, RunSpec, RunStore, StoredRunState } from './run-store.ts';

/**
 * One table, string keys `pk`/`sk`:
 * - run:     pk `DAG#<dag_id>`   sk `RUN#<run_id>`   spec (JSON), state, execution_arn, start_date, end_date
 * - queue:   pk `QUEUE#<dag_id>` sk `<queued_at>#<run_id>`   (FIFO by acceptance time)
 * - counter: pk `DAG#<dag_id>`   sk `SLOTS`          active (number of started, unfinished runs)
 */
const runKey = (dagId: string, runId: string) => ({ pk: { S: `DAG#${dagId}` }, sk: { S: `RUN#${runId}` } });
const queueKey = (spec: Pick<RunSpec, 'dag_id' | 'queued_at' | 'run_id'>) => ({
  pk: { S: `QUEUE#${spec.dag_id}` },
  sk: { S: `${spec.queued_at}#${spec.run_id}` },
});
const slotsKey = (dagId: string) => ({ pk: { S: `DAG#${dagId}` }, sk: { S: 'SLOTS' } });

const releaseUpdate = (table: string, dagId: string) => ({
  TableName: table,
  Key: slotsKey(dagId),
  UpdateExpression: 'ADD active :minus',
  ConditionExpression: 'active > :zero',
  ExpressionAttributeValues: { ':minus': { N: '-1' }, ':zero': { N: '0' } },
});

const optional = (value: AttributeValue | undefined): string | null => value?.S ?? null;

function toRecord(item: Record<string, AttributeValue>): RunRecord {
  return {
    ...(JSON.parse(item.spec!.S!) as RunSpec),
    state: item.state!.S as StoredRunState,
    execution_arn: optional(item.execution_arn),
    start_date: optional(item.start_date),
    end_date: optional(item.end_date),
  };
}

const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed'));

export class DynamoDbRunStore implements RunStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async createQueuedRun(spec: RunSpec): Promise<{ created: boolean; run: RunRecord }> {
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: {
                  ...runKey(spec.dag_id, spec.run_id),
                  spec: { S: JSON.stringify(spec) },
                  state: { S: 'queued' },
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: { TableName: this.table, Item: { ...queueKey(spec), run_id: { S: spec.run_id } } } },
          ],
        }),
      );
      return {
        created: true,
        run: { ...spec, state: 'queued', execution_arn: null, start_date: null, end_date: null },
      };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.getRun(spec.dag_id, spec.run_id);
      if (!existing) throw error;
      return { created: false, run: existing };
    }
  }

  async getRun(dagId: string, runId: string): Promise<RunRecord | null> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: runKey(dagId, runId), ConsistentRead: true }),
    );
    return out.Item ? toRecord(out.Item) : null;
  }

  /** The DAG's queue, oldest first (consistent read). */
  private queueQuery(dagId: string, page: { Limit: number } | { Select: 'COUNT' }) {
    return this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `QUEUE#${dagId}` } },
        ConsistentRead: true,
        ...('Limit' in page ? { ScanIndexForward: true } : {}),
        ...page,
      }),
    );
  }

  async dequeueOldest(dagId: string): Promise<string | null> {
    for (;;) {
      const [head] = (await this.queueQuery(dagId, { Limit: 1 })).Items ?? [];
      if (!head) return null;
      try {
        await this.client.send(
          new DeleteItemCommand({
            TableName: this.table,
            Key: { pk: head.pk!, sk: head.sk! },
            ConditionExpression: 'attribute_exists(pk)',
          }),
        );
        return head.run_id!.S!;
      } catch (error) {
        if (!isConditionFailure(error)) throw error; // another drainer took it: look again
      }
    }
  }

  async removeFromQueue(spec: RunSpec): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: queueKey(spec),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async queueLength(dagId: string): Promise<number> {
    return (await this.queueQuery(dagId, { Select: 'COUNT' })).Count ?? 0;
  }

  async tryAcquireSlot(dagId: string, max: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: slotsKey(dagId),
          UpdateExpression: 'ADD active :one',
          ConditionExpression: 'attribute_not_exists(active) OR active < :max',
          ExpressionAttributeValues: { ':one': { N: '1' }, ':max': { N: String(max) } },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async releaseSlot(dagId: string): Promise<void> {
    await this.client.send(new UpdateItemCommand(releaseUpdate(this.table, dagId)));
  }

  async markRunning(dagId: string, runId: string, executionArn: string, startDate: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: runKey(dagId, runId),
          UpdateExpression: 'SET #state = :running, execution_arn = :arn, start_date = :start',
          ConditionExpression: '#state = :queued',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':running': { S: 'running' },
            ':queued': { S: 'queued' },
            ':arn': { S: executionArn },
            ':start': { S: startDate },
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async finish(
    dagId: string,
    runId: string,
    state: 'success' | 'failed',
    endDate: string,
    releases: boolean,
  ): Promise<boolean> {
    const finishRun = {
      Update: {
        TableName: this.table,
        Key: runKey(dagId, runId),
        UpdateExpression: 'SET #state = :final, end_date = :end',
        ConditionExpression: '#state IN (:queued, :running)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':final': { S: state },
          ':end': { S: endDate },
          ':queued': { S: 'queued' },
          ':running': { S: 'running' },
        },
      },
    };
    const release = { Update: releaseUpdate(this.table, dagId) };
    try {
      await this.client.send(
        new TransactWriteItemsCommand({ TransactItems: releases ? [finishRun, release] : [finishRun] }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
