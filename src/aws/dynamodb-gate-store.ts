import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DEFAULT_GATE_TTL_SECONDS,
  EMPTY_SLOT_QUEUE,
  type GateStore,
  type SlotQueue,
  type TaskEnd,
  type VerdictKind,
  type WaiterInput,
  type WaiterRecord,
} from '../handlers/gates/gate-store.ts';

/**
 * The gate store on the runs table (string keys `pk`/`sk`, beside the run store's `DAG#`/`QUEUE#`):
 * - end:    pk `GATE#<run>` sk `END#<task_id>`   state, output (JSON)
 * - waiter: pk `GATE#<run>` sk `WAIT#<task_id>`  token, spec (JSON), fired, sent
 * - index:  pk `GATE#<run>` sk `ORD#<order>`     task_id
 * - slots:  pk `GATE#<run>` sk `SLOTS`           queue (JSON of numbers), version
 * `<run>` is the SHA-256 of the run key (an execution ARN can outgrow a key). Every item carries
 * `expires_at` (epoch seconds) for the table's TTL. Reads are consistent: the gate protocol's
 * write-then-read on both sides relies on it.
 */
export interface DynamoDbGateStoreOptions {
  ttlSeconds?: number;
  now?: () => number;
}

/** The slots item stays well inside DynamoDB's 400 KB (numbers only: about 100 KB at 5,000 tasks). */
const MAX_SLOTS_BYTES = 350_000;
const BATCH_GET_LIMIT = 100;

const runPk = (runKey: string): AttributeValue => ({
  S: `GATE#${createHash('sha256').update(runKey).digest('base64url')}`,
});

const isConditionFailure = (error: unknown): boolean => error instanceof ConditionalCheckFailedException;

function toEnd(item: Record<string, AttributeValue>): TaskEnd {
  return {
    task_id: item.task_id!.S!,
    state: item.state!.S as TaskEnd['state'],
    output: JSON.parse(item.output!.S!) as TaskEnd['output'],
  };
}

function toWaiter(item: Record<string, AttributeValue>): WaiterRecord {
  return {
    task_id: item.task_id!.S!,
    token: item.token!.S!,
    spec: JSON.parse(item.spec!.S!) as WaiterRecord['spec'],
    fired: (item.fired?.S as VerdictKind | undefined) ?? null,
    sent: item.sent?.BOOL === true,
  };
}

export class DynamoDbGateStore implements GateStore {
  private readonly ttlSeconds: number;
  private readonly now: () => number;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    options: DynamoDbGateStoreOptions = {},
  ) {
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_GATE_TTL_SECONDS;
    this.now = options.now ?? Date.now;
  }

  private expires(): AttributeValue {
    return { N: String(Math.floor(this.now() / 1000) + this.ttlSeconds) };
  }

  private key(runKey: string, sk: string) {
    return { pk: runPk(runKey), sk: { S: sk } };
  }

  private async get(runKey: string, sk: string) {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: this.key(runKey, sk), ConsistentRead: true }),
    );
    return out.Item;
  }

  /** Consistent BatchGetItem over distinct sort keys, 100 at a time, unprocessed keys retried. */
  private async getMany(
    runKey: string,
    sks: readonly string[],
  ): Promise<Array<Record<string, AttributeValue>>> {
    const items: Array<Record<string, AttributeValue>> = [];
    const unique = [...new Set(sks)];
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
      let keys: Array<Record<string, AttributeValue>> | undefined = unique
        .slice(i, i + BATCH_GET_LIMIT)
        .map((sk) => this.key(runKey, sk));
      for (let attempt = 0; keys && keys.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
        const out: BatchGetItemCommandOutput = await this.client.send(
          new BatchGetItemCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } }),
        );
        items.push(...(out.Responses?.[this.table] ?? []));
        keys = out.UnprocessedKeys?.[this.table]?.Keys;
      }
    }
    return items;
  }

  async recordEnd(runKey: string, end: TaskEnd): Promise<'recorded' | 'duplicate' | 'conflict'> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            ...this.key(runKey, `END#${end.task_id}`),
            task_id: { S: end.task_id },
            state: { S: end.state },
            output: { S: JSON.stringify(end.output) },
            expires_at: this.expires(),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'recorded';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.get(runKey, `END#${end.task_id}`);
      if (!existing) throw error;
      return isDeepStrictEqual(toEnd(existing), end) ? 'duplicate' : 'conflict';
    }
  }

  async readEnds(runKey: string, taskIds: readonly string[]): Promise<Map<string, TaskEnd>> {
    const items = await this.getMany(
      runKey,
      taskIds.map((id) => `END#${id}`),
    );
    return new Map(items.map((item) => [item.task_id!.S!, toEnd(item)]));
  }

  async register(runKey: string, waiter: WaiterInput): Promise<WaiterRecord> {
    const values = {
      ':id': { S: waiter.task_id },
      ':token': { S: waiter.token },
      ':spec': { S: JSON.stringify(waiter.spec) },
      ':exp': this.expires(),
    };
    const set = 'SET task_id = :id, #token = :token, spec = :spec, expires_at = :exp';
    const update = {
      TableName: this.table,
      Key: this.key(runKey, `WAIT#${waiter.task_id}`),
      ExpressionAttributeNames: { '#token': 'token' },
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW' as const,
    };
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          ...update,
          UpdateExpression: set,
          ConditionExpression: 'attribute_not_exists(pk) OR #token = :token',
        }),
      );
      return toWaiter(out.Attributes!);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    // A new token (the Task state was retried): whatever was sent went to the old one.
    const out = await this.client.send(
      new UpdateItemCommand({ ...update, UpdateExpression: `${set} REMOVE sent` }),
    );
    return toWaiter(out.Attributes!);
  }

  async readWaiters(runKey: string, taskIds: readonly string[]): Promise<Map<string, WaiterRecord>> {
    const items = await this.getMany(
      runKey,
      taskIds.map((id) => `WAIT#${id}`),
    );
    return new Map(items.map((item) => [item.task_id!.S!, toWaiter(item)]));
  }

  async fire(
    runKey: string,
    taskId: string,
    verdict: VerdictKind,
  ): Promise<{ fired: boolean; waiter: WaiterRecord }> {
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: this.key(runKey, `WAIT#${taskId}`),
          UpdateExpression: 'SET fired = :verdict',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(fired)',
          ExpressionAttributeValues: { ':verdict': { S: verdict } },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { fired: true, waiter: toWaiter(out.Attributes!) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await this.get(runKey, `WAIT#${taskId}`);
    if (!existing) throw new Error(`gate store: no waiter '${taskId}' to fire`);
    return { fired: false, waiter: toWaiter(existing) };
  }

  async markSent(runKey: string, taskId: string, token: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: this.key(runKey, `WAIT#${taskId}`),
          UpdateExpression: 'SET sent = :yes',
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':yes': { BOOL: true }, ':token': { S: token } },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error; // re-registered with a new token since
    }
  }

  async putSlotIndex(runKey: string, order: number, taskId: string): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.table,
        Item: { ...this.key(runKey, `ORD#${order}`), task_id: { S: taskId }, expires_at: this.expires() },
      }),
    );
  }

  async readSlotIndex(runKey: string, orders: readonly number[]): Promise<Map<number, string>> {
    const items = await this.getMany(
      runKey,
      orders.map((o) => `ORD#${o}`),
    );
    return new Map(items.map((item) => [Number(item.sk!.S!.slice(4)), item.task_id!.S!]));
  }

  async readSlots(runKey: string): Promise<{ queue: SlotQueue; version: number }> {
    const item = await this.get(runKey, 'SLOTS');
    if (!item) return { queue: EMPTY_SLOT_QUEUE, version: 0 };
    return { queue: JSON.parse(item.queue!.S!) as SlotQueue, version: Number(item.version!.N!) };
  }

  async writeSlots(runKey: string, queue: SlotQueue, version: number): Promise<boolean> {
    const json = JSON.stringify(queue);
    if (json.length > MAX_SLOTS_BYTES)
      throw new Error(`gate store: slot queue over ${MAX_SLOTS_BYTES} bytes`);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            ...this.key(runKey, 'SLOTS'),
            queue: { S: json },
            version: { N: String(version + 1) },
            expires_at: this.expires(),
          },
          ...(version === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#version = :version',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':version': { N: String(version) } },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
