/**
 * The {@link FailoverLock} port on a DynamoDB table (partition key `pk`, string; TTL attribute
 * `expiresAt`, epoch seconds). Every write is one conditional request, so DynamoDB decides races:
 * of two executions writing at once, exactly one condition holds (DynamoDB Developer Guide,
 * "Condition expressions"; a failed one throws ConditionalCheckFailedException and writes nothing).
 *
 * TTL deletes expired items only eventually ("typically within a few days", Developer Guide,
 * "Time to Live"), so every condition also treats `expiresAt <= now` as absent.
 */
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { FailoverMode } from '../../domain/failover/model.ts';
import { epochSeconds } from '../../domain/failover/lock.ts';
import type { AcquireResult, FailoverLock, LockRecord } from '../../ports/failover-lock.ts';
import { ConfigurationError, FailoverLockLostError } from '../../shared/errors.ts';
import { translate } from '../sdk-errors.ts';

/** True for the error a failed condition throws. */
function conditionFailed(error: unknown): error is Error & { Item?: Record<string, AttributeValue> } {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

function fromItem(item: Record<string, AttributeValue> | undefined): LockRecord | null {
  if (item === undefined) return null;
  const steps: Record<string, string> = {};
  for (const [name, value] of Object.entries(item['steps']?.M ?? {})) if (value.S !== undefined) steps[name] = value.S;
  return {
    key: item['pk']?.S ?? '',
    owner: item['owner']?.S ?? '',
    mode: (item['mode']?.S ?? 'az') as FailoverMode,
    state: item['state']?.S === 'cooldown' ? 'cooldown' : 'held',
    acquiredAt: item['acquiredAt']?.S ?? '',
    expiresAt: Number(item['expiresAt']?.N ?? '0'),
    steps,
  };
}

/** The lock table. */
export class DynamoDbFailoverLock implements FailoverLock {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, table: string) {
    this.#client = client;
    this.#table = table;
  }

  async #send<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      // A failed condition is an answer: the caller reads it.
      if (conditionFailed(error)) throw error;
      throw translate(error, {
        service: 'dynamodb',
        action,
        message: (typed) => (typed === ConfigurationError ? `${action}: the lock table ${this.#table} does not exist` : undefined),
      });
    }
  }

  async read(key: string): Promise<LockRecord | null> {
    const out = await this.#send('GetItem', () => this.#client.send(new GetItemCommand({ TableName: this.#table, Key: { pk: { S: key } }, ConsistentRead: true })));
    return fromItem(out.Item);
  }

  async acquire(record: LockRecord, now: Date): Promise<AcquireResult> {
    try {
      await this.#send('PutItem', () =>
        this.#client.send(
          new PutItemCommand({
            TableName: this.#table,
            Item: {
              pk: { S: record.key },
              owner: { S: record.owner },
              mode: { S: record.mode },
              state: { S: 'held' },
              acquiredAt: { S: record.acquiredAt },
              expiresAt: { N: String(record.expiresAt) },
              steps: { M: {} },
            },
            ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt <= :now OR (#owner = :owner AND #state = :held)',
            ExpressionAttributeNames: { '#pk': 'pk', '#expiresAt': 'expiresAt', '#owner': 'owner', '#state': 'state' },
            ExpressionAttributeValues: { ':now': { N: String(epochSeconds(now)) }, ':owner': { S: record.owner }, ':held': { S: 'held' } },
            // The record in the way comes back with the failure: one request, no read-after-write race.
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return { acquired: true };
    } catch (error) {
      if (conditionFailed(error)) return { acquired: false, holder: fromItem(error.Item) ?? (await this.read(record.key)) };
      throw error;
    }
  }

  async markStep(key: string, owner: string, step: string, at: Date): Promise<string | null> {
    try {
      const out = await this.#send('UpdateItem', () =>
        this.#client.send(
          new UpdateItemCommand({
            TableName: this.#table,
            Key: { pk: { S: key } },
            UpdateExpression: 'SET #steps.#step = if_not_exists(#steps.#step, :at)',
            // Still ours, still held, lease not run out: otherwise another execution may be acting.
            ConditionExpression: '#owner = :owner AND #state = :held AND #expiresAt > :now',
            ExpressionAttributeNames: { '#steps': 'steps', '#step': step, '#owner': 'owner', '#state': 'state', '#expiresAt': 'expiresAt' },
            ExpressionAttributeValues: { ':at': { S: at.toISOString() }, ':owner': { S: owner }, ':held': { S: 'held' }, ':now': { N: String(epochSeconds(at)) } },
            ReturnValues: 'ALL_OLD',
          }),
        ),
      );
      return out.Attributes?.['steps']?.M?.[step]?.S ?? null;
    } catch (error) {
      if (conditionFailed(error)) throw new FailoverLockLostError(`${step}: the failover lock ${key} is no longer held by ${owner}: not acting`, { cause: error });
      throw error;
    }
  }

  async release(key: string, owner: string): Promise<boolean> {
    try {
      await this.#send('DeleteItem', () =>
        this.#client.send(
          new DeleteItemCommand({
            TableName: this.#table,
            Key: { pk: { S: key } },
            ConditionExpression: '#owner = :owner AND #state = :held',
            ExpressionAttributeNames: { '#owner': 'owner', '#state': 'state' },
            ExpressionAttributeValues: { ':owner': { S: owner }, ':held': { S: 'held' } },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  async cooldown(key: string, owner: string, until: number): Promise<boolean> {
    try {
      await this.#send('UpdateItem', () =>
        this.#client.send(
          new UpdateItemCommand({
            TableName: this.#table,
            Key: { pk: { S: key } },
            UpdateExpression: 'SET #state = :cooldown, #expiresAt = :until',
            ConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#state': 'state', '#expiresAt': 'expiresAt', '#owner': 'owner' },
            ExpressionAttributeValues: { ':cooldown': { S: 'cooldown' }, ':until': { N: String(until) }, ':owner': { S: owner } },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }
}
