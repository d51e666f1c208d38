import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { BackfillRecord } from '../runs/api/backend.ts';

/**
 * Backfill records in the runs table:
 * - counter: pk `COUNTER`  sk `BACKFILL`       n (the last id given; ADD is atomic)
 * - record:  pk `BACKFILL` sk `#<id, 12 digits>` dag_id, record (JSON)
 * Creation is a put only if the id is new, an update only if it exists.
 */
const recordKey = (id: number) => ({ pk: { S: 'BACKFILL' }, sk: { S: `#${String(id).padStart(12, '0')}` } });

export class DynamoDbBackfillStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  private async nextId(): Promise<number> {
    const out = await this.client.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: { pk: { S: 'COUNTER' }, sk: { S: 'BACKFILL' } },
        UpdateExpression: 'ADD n :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(out.Attributes!.n!.N);
  }

  /** Writes the record under its id, on the condition given (a new id, or an existing one). */
  private async put(record: BackfillRecord, condition: string): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.table,
        Item: {
          ...recordKey(record.id),
          dag_id: { S: record.dag_id },
          record: { S: JSON.stringify(record) },
        },
        ConditionExpression: condition,
      }),
    );
  }

  async create(fields: Omit<BackfillRecord, 'id'>): Promise<BackfillRecord> {
    const record: BackfillRecord = { ...fields, id: await this.nextId() };
    await this.put(record, 'attribute_not_exists(pk)');
    return record;
  }

  async get(id: number): Promise<BackfillRecord | null> {
    if (!Number.isSafeInteger(id) || id < 1) return null;
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: recordKey(id), ConsistentRead: true }),
    );
    return out.Item ? (JSON.parse(out.Item.record!.S!) as BackfillRecord) : null;
  }

  /** Every backfill (of one DAG, or all), oldest first. */
  async list(dagId: string | null): Promise<BackfillRecord[]> {
    const records: BackfillRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: {
            ':pk': { S: 'BACKFILL' },
            ...(dagId === null ? {} : { ':dag': { S: dagId } }),
          },
          ...(dagId === null ? {} : { FilterExpression: 'dag_id = :dag' }),
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      records.push(...(page.Items ?? []).map((i) => JSON.parse(i.record!.S!) as BackfillRecord));
      start = page.LastEvaluatedKey;
    } while (start);
    return records;
  }

  /** Replaces a stored record; false when no backfill has that id. */
  async update(record: BackfillRecord): Promise<boolean> {
    try {
      await this.put(record, 'attribute_exists(pk)');
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
