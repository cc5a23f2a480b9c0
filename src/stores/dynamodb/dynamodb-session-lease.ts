/**
 * Session leases in DynamoDB: one item beside the session's head, put only when absent, expired or
 * already this holder's (a conditional PutItem), deleted only by its holder; TTL collects the rest.
 */

import { DeleteItemCommand, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AcquireLeaseOutcome, SessionLease } from '../store-types.js';
import { checkLease, checkTenant } from '../store-input.js';
import { number, readText, text, type Item } from './dynamodb-attributes.js';
import { awsErrorName } from './dynamodb-client.js';
import { attributeNames, sessionKeys } from './dynamodb-item-keys.js';

/** How long after its logical expiry the TTL sweeper may delete a lease item (it is ignored once expired anyway). */
const collectAfterSeconds = 60;

export class DynamoDbSessionLeases {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly now: () => number,
  ) {}

  #key(id: string): Item {
    return { [attributeNames.partitionKey]: text(sessionKeys.partition(id)), [attributeNames.sortKey]: text(sessionKeys.lease) };
  }

  async acquire(tenant: string, id: string, lease: SessionLease, ttlMs: number): Promise<AcquireLeaseOutcome> {
    checkTenant(tenant);
    const checked = checkLease(lease, ttlMs);
    const now = this.now();
    const expiresAtMs = now + checked.ttlMs;
    const item: Item = {
      ...this.#key(id),
      holder: text(checked.holder),
      leaseExpiresAtMs: number(expiresAtMs),
      [attributeNames.timeToLive]: number(Math.ceil(expiresAtMs / 1000) + collectAfterSeconds),
    };
    if (checked.idempotencyKey !== undefined) item.idempotencyKey = text(checked.idempotencyKey);
    if (checked.requestHash !== undefined) item.requestHash = text(checked.requestHash);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#pk) OR #expires <= :now OR #holder = :holder',
          ExpressionAttributeNames: { '#pk': attributeNames.partitionKey, '#expires': 'leaseExpiresAtMs', '#holder': 'holder' },
          ExpressionAttributeValues: { ':now': number(now), ':holder': text(checked.holder) },
        }),
      );
      return { kind: 'acquired' };
    } catch (error) {
      if (awsErrorName(error) !== 'ConditionalCheckFailedException') throw error;
    }
    const { Item: current } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: this.#key(id), ConsistentRead: true }));
    // Released between the two requests: it was not lost to anyone, so try once more.
    if (current === undefined) return this.acquire(tenant, id, lease, ttlMs);
    const held: SessionLease = { holder: readText(current, 'holder') ?? '' };
    const idempotencyKey = readText(current, 'idempotencyKey');
    const requestHash = readText(current, 'requestHash');
    if (idempotencyKey !== undefined) held.idempotencyKey = idempotencyKey;
    if (requestHash !== undefined) held.requestHash = requestHash;
    return { kind: 'held', lease: held };
  }

  async release(id: string, holder: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: this.#key(id),
          ConditionExpression: '#holder = :holder',
          ExpressionAttributeNames: { '#holder': 'holder' },
          ExpressionAttributeValues: { ':holder': text(holder) },
        }),
      );
    } catch (error) {
      // Expired and taken over, or gone: nothing of ours to release.
      if (awsErrorName(error) !== 'ConditionalCheckFailedException') throw error;
    }
  }
}
