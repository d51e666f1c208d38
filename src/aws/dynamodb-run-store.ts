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
import type { RunRecord, RunSpec, RunStore, StoredRunState } from '../runs/run-store.ts';

/**
 * One table, string keys `pk`/`sk`:
 * - run:     pk `DAG#<dag_id>`   sk `RUN#<run_id>`   spec (JSON), state, execution_arn, executions
 *            (list of every attempt's ARN), pending_resume (JSON), start_date, end_date
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
  const executionArn = optional(item.execution_arn);
  return {
    ...(JSON.parse(item.spec!.S!) as RunSpec),
    state: item.state!.S as StoredRunState,
    execution_arn: executionArn,
    executions: item.executions?.L?.map((a) => a.S!) ?? (executionArn ? [executionArn] : []),
    pending_resume: item.pending_resume?.S ? (JSON.parse(item.pending_resume.S) as unknown) : null,
    start_date: optional(item.start_date),
    end_date: optional(item.end_date),
  };
}

/** The fixed part of a record, as stored under `spec`. */
function specOf(run: RunRecord): RunSpec {
  const {
    state: _state,
    execution_arn: _arn,
    executions: _executions,
    pending_resume: _resume,
    start_date: _start,
    end_date: _end,
    ...spec
  } = run;
  return spec;
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
        run: {
          ...spec,
          state: 'queued',
          execution_arn: null,
          executions: [],
          pending_resume: null,
          start_date: null,
          end_date: null,
        },
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

  async listRuns(dagId: string): Promise<RunRecord[]> {
    const runs: RunRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :run)',
          ExpressionAttributeValues: { ':pk': { S: `DAG#${dagId}` }, ':run': { S: 'RUN#' } },
          ExclusiveStartKey: start,
        }),
      );
      runs.push(...(page.Items ?? []).map(toRecord));
      start = page.LastEvaluatedKey;
    } while (start);
    return runs;
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
          UpdateExpression:
            'SET #state = :running, execution_arn = :arn, start_date = :start, ' +
            'executions = list_append(if_not_exists(executions, :none), :arns) REMOVE pending_resume',
          ConditionExpression: '#state = :queued',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':running': { S: 'running' },
            ':queued': { S: 'queued' },
            ':arn': { S: executionArn },
            ':arns': { L: [{ S: executionArn }] },
            ':none': { L: [] },
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
    executionArn?: string,
  ): Promise<boolean> {
    const values = { ':final': { S: state }, ':end': { S: endDate }, ':queued': { S: 'queued' } };
    const running = { ':running': { S: 'running' } };
    const finishRun = (update: string, condition: string, more: Record<string, AttributeValue>) => ({
      Update: {
        TableName: this.table,
        Key: runKey(dagId, runId),
        UpdateExpression: `SET #state = :final, end_date = :end${update} REMOVE pending_resume`,
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ...values, ...more },
      },
    });
    const attempts = executionArn
      ? [
          finishRun('', '#state IN (:queued, :running) AND execution_arn = :arn', {
            ...running,
            ':arn': { S: executionArn },
          }),
          // The execution ended before its start was recorded: a queued run that never had it.
          finishRun(
            ', execution_arn = :arn, executions = list_append(if_not_exists(executions, :none), :arns)',
            '#state = :queued AND NOT contains(executions, :arn)',
            { ':arn': { S: executionArn }, ':arns': { L: [{ S: executionArn }] }, ':none': { L: [] } },
          ),
        ]
      : [finishRun('', '#state IN (:queued, :running)', running)];
    const release = { Update: releaseUpdate(this.table, dagId) };
    for (const update of attempts) {
      try {
        await this.client.send(
          new TransactWriteItemsCommand({ TransactItems: releases ? [update, release] : [update] }),
        );
        return true;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    return false;
  }

  async requeue(
    run: RunRecord,
    executionArn: string | null,
    resume: unknown,
    queuedAt: string,
  ): Promise<boolean> {
    const spec: RunSpec = { ...specOf(run), queued_at: queuedAt };
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: runKey(run.dag_id, run.run_id),
                UpdateExpression:
                  'SET #state = :queued, spec = :spec, pending_resume = :resume REMOVE end_date, execution_arn',
                ConditionExpression:
                  '#state IN (:success, :failed) AND ' +
                  (executionArn === null ? 'attribute_not_exists(execution_arn)' : 'execution_arn = :arn'),
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: {
                  ':queued': { S: 'queued' },
                  ':success': { S: 'success' },
                  ':failed': { S: 'failed' },
                  ...(executionArn === null ? {} : { ':arn': { S: executionArn } }),
                  ':spec': { S: JSON.stringify(spec) },
                  ':resume': { S: JSON.stringify(resume) },
                },
              },
            },
            { Put: { TableName: this.table, Item: { ...queueKey(spec), run_id: { S: spec.run_id } } } },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
