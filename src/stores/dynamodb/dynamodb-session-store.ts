/**
 * Sessions in one DynamoDB table: a head item per session, one item per message, one per idempotent
 * turn result, and each turn ONE TransactWriteItems conditioned on the head's version
 * (docs/dynamodb-design.md has the layout and the reasons).
 */

import { randomBytes, randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  type CancellationReason,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import type { AcquireLeaseOutcome, AppendTurnOptions, AppendTurnOutcome, CreateSessionInput, Session, SessionLease, SessionStore, TurnRecord } from '../store-types.js';
import { DynamoDbSessionLeases } from './dynamodb-session-lease.js';
import {
  checkCreateSessionInput,
  checkExpectedVersion,
  checkListOptions,
  checkTenant,
  checkTurnRecord,
  encodeSessionCursor,
} from '../store-input.js';
import { number, readText, requireNumber, text, textMap, type Item } from './dynamodb-attributes.js';
import { awsErrorName } from './dynamodb-client.js';
import { deleteItemsWithPrefix } from './dynamodb-purge.js';
import { attributeNames, sessionKeys, tenantIndexName } from './dynamodb-item-keys.js';
import { checkTurnFitsDynamoDb, invalid, maxIdempotencyKeyBytes, messageItem, toHead, toMessage, toTurnResult, type Head, type SessionSummary } from './dynamodb-session-items.js';

export { maxMessageBytes, maxMessagesPerTurn } from './dynamodb-session-items.js';

/** A transaction that lost to a concurrent one on the same items is tried again this many times. */
const transactionAttempts = 4;

const names = {
  '#pk': attributeNames.partitionKey,
  '#tenant': 'tenant',
  '#generation': 'generation',
  '#version': 'version',
  '#updatedAt': 'updatedAt',
  '#lastAgent': 'lastAgent',
  '#expiresAtMs': 'expiresAtMs',
  '#ttl': attributeNames.timeToLive,
  '#gsi1sk': attributeNames.tenantIndexSort,
  '#messageCount': 'messageCount',
};

function reasonFailed(reason: CancellationReason | undefined): boolean {
  return reason?.Code === 'ConditionalCheckFailed';
}

export class DynamoDbSessionStore implements SessionStore {
  private readonly leases: DynamoDbSessionLeases;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly now: () => number,
    private readonly defaultTtlSeconds: number,
    private readonly newGeneration: () => string = () => randomBytes(6).toString('base64url'),
  ) {
    this.leases = new DynamoDbSessionLeases(client, table, now);
  }

  acquireLease(tenant: string, id: string, lease: SessionLease, ttlMs: number): Promise<AcquireLeaseOutcome> {
    return this.leases.acquire(tenant, id, lease, ttlMs);
  }

  releaseLease(_tenant: string, id: string, holder: string): Promise<void> {
    return this.leases.release(id, holder);
  }

  #headKey(id: string): Item {
    return { [attributeNames.partitionKey]: text(sessionKeys.partition(id)), [attributeNames.sortKey]: text(sessionKeys.head) };
  }

  /** The head when it is this tenant's and live, read strongly consistent. */
  async #liveHead(tenant: string, id: string, now: number): Promise<Head | undefined> {
    const { Item: item } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: this.#headKey(id), ConsistentRead: true }));
    if (item === undefined || readText(item, 'tenant') !== tenant) return undefined;
    const head = toHead(item);
    return head.expiresAtMs < now ? undefined : head;
  }

  async create(input: CreateSessionInput): Promise<Session> {
    const { id, tenant, metadata, ttlSeconds } = checkCreateSessionInput(input, this.defaultTtlSeconds);
    const now = this.now();
    const expiresAtMs = now + ttlSeconds * 1000;
    const generation = this.newGeneration();
    const item: Item = {
      ...this.#headKey(id),
      id: text(id),
      tenant: text(tenant),
      generation: text(generation),
      version: number(0),
      createdAt: number(now),
      updatedAt: number(now),
      metadata: textMap(metadata),
      ttlSeconds: number(ttlSeconds),
      expiresAtMs: number(expiresAtMs),
      [attributeNames.timeToLive]: number(Math.ceil(expiresAtMs / 1000)),
      messageCount: number(0),
      [attributeNames.tenantIndexPartition]: text(sessionKeys.tenantIndexPartition(tenant)),
      [attributeNames.tenantIndexSort]: text(sessionKeys.tenantIndexSort(now, id)),
    };
    let previous: Item | undefined;
    try {
      // An expired session may still hold the id until the TTL sweeper runs: take it over.
      ({ Attributes: previous } = await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAtMs < :now',
          ExpressionAttributeNames: { '#pk': names['#pk'], '#expiresAtMs': names['#expiresAtMs'] },
          ExpressionAttributeValues: { ':now': number(now) },
          ReturnValues: 'ALL_OLD',
        }),
      ));
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailedException') throw invalid('id', `session id ${JSON.stringify(id)} is already taken`);
      throw error;
    }
    const previousGeneration = previous === undefined ? undefined : readText(previous, 'generation');
    if (previousGeneration !== undefined) await this.#purgeGeneration(id, previousGeneration);
    return { id, tenant, version: 0, createdAt: now, updatedAt: now, metadata, messages: [] };
  }

  async get(tenant: string, id: string): Promise<Session | undefined> {
    return this.#read(tenant, id, this.now());
  }

  /**
   * The head and the messages in one Query of the session's partition. A Query is read-committed
   * per item, not per transaction, so it can see a turn half-applied: messages newer than the head
   * are left out, and a head newer than the messages read is read again.
   */
  async #read(tenant: string, id: string, now: number, asOf?: Head): Promise<Session | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      let head: Head | undefined;
      let headItem: Item | undefined;
      const messageItems: Item[] = [];
      let startKey: Item | undefined;
      do {
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.table,
            ConsistentRead: true,
            // 'META' < 'MSG#…' < 'MSG$': the head and every message, not the stored turn results.
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
            ExpressionAttributeNames: { '#pk': attributeNames.partitionKey, '#sk': attributeNames.sortKey },
            ExpressionAttributeValues: { ':pk': text(sessionKeys.partition(id)), ':from': text(sessionKeys.head), ':to': text('MSG$') },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) {
          if (readText(item, attributeNames.sortKey) === sessionKeys.head) headItem = item;
          else messageItems.push(item);
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
      if (asOf !== undefined) {
        // Right after a commit: the session as that commit left it, whatever later turns did meanwhile.
        head = asOf;
      } else {
        if (headItem === undefined || readText(headItem, 'tenant') !== tenant) return undefined;
        head = toHead(headItem);
        if (head.expiresAtMs < now) return undefined;
      }
      const prefix = sessionKeys.messagePrefix(head.generation);
      const version = head.summary.version;
      const messages = messageItems
        .filter((item) => readText(item, attributeNames.sortKey)!.startsWith(prefix) && requireNumber(item, 'version') <= version)
        .map(toMessage);
      if (messages.length === head.messageCount) return { ...head.summary, messages };
      // Deleted since the commit: its messages are being purged, so no read will be whole again.
      if (asOf !== undefined && (headItem === undefined || readText(headItem, 'generation') !== asOf.generation)) return { ...head.summary, messages };
    }
    throw new Error(`DynamoDB session ${id}: messages and head did not agree in three reads`);
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    const now = this.now();
    let previous: Item | undefined;
    try {
      ({ Attributes: previous } = await this.client.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: this.#headKey(id),
          ConditionExpression: '#tenant = :tenant',
          ExpressionAttributeNames: { '#tenant': names['#tenant'] },
          ExpressionAttributeValues: { ':tenant': text(tenant) },
          ReturnValues: 'ALL_OLD',
        }),
      ));
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailedException') return false;
      throw error;
    }
    if (previous === undefined) return false;
    const head = toHead(previous);
    // The head is gone, so nothing of this generation is reachable any more; the rest is cleanup.
    await this.#purgeGeneration(id, head.generation);
    return head.expiresAtMs >= now;
  }

  async #purgeGeneration(id: string, generation: string): Promise<void> {
    const partition = sessionKeys.partition(id);
    await deleteItemsWithPrefix(this.client, this.table, partition, sessionKeys.messagePrefix(generation));
    await deleteItemsWithPrefix(this.client, this.table, partition, sessionKeys.turnPrefix(generation));
  }

  appendTurn(tenant: string, id: string, expectedVersion: number, turn: TurnRecord): Promise<AppendTurnOutcome>;
  appendTurn(tenant: string, id: string, expectedVersion: number, turn: TurnRecord, options: AppendTurnOptions): Promise<AppendTurnOutcome<SessionSummary>>;
  async appendTurn(tenant: string, id: string, expectedVersion: number, turn: TurnRecord, options?: AppendTurnOptions): Promise<AppendTurnOutcome<Session | SessionSummary>> {
    checkExpectedVersion(expectedVersion);
    checkTurnRecord(turn);
    checkTurnFitsDynamoDb(turn);
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#tryAppendTurn(tenant, id, expectedVersion, turn, options?.history !== false);
      if (outcome !== 'lost_race') return outcome;
      if (attempt >= transactionAttempts) throw new Error(`DynamoDB session ${id}: the turn's transaction kept colliding with concurrent ones`);
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40 * attempt));
    }
  }

  async #tryAppendTurn(tenant: string, id: string, expectedVersion: number, turn: TurnRecord, withHistory: boolean): Promise<AppendTurnOutcome<Session | SessionSummary> | 'lost_race'> {
    const now = this.now();
    const head = await this.#liveHead(tenant, id, now);
    if (head === undefined) return { kind: 'not_found' };
    const key = turn.idempotencyKey;
    if (key !== undefined) {
      const earlier = await this.#findTurnItem(id, head.generation, key);
      if (earlier !== undefined) return { kind: 'duplicate', ...toTurnResult(earlier) };
    }
    if (head.summary.version !== expectedVersion) return { kind: 'conflict', currentVersion: head.summary.version };

    const version = expectedVersion + 1;
    const partition = sessionKeys.partition(id);
    const expiresAtMs = now + head.ttlSeconds * 1000;
    const actions: TransactWriteItem[] = [
      {
        Update: {
          TableName: this.table,
          Key: this.#headKey(id),
          // The generation pins the session that was read: a deleted and re-created id fails here.
          ConditionExpression: '#tenant = :tenant AND #generation = :generation AND #version = :expected AND #expiresAtMs >= :now',
          UpdateExpression:
            'SET #version = :version, #updatedAt = :now, #lastAgent = :agent, #expiresAtMs = :expiresAtMs, #ttl = :ttl, #gsi1sk = :gsi1sk, #messageCount = #messageCount + :added',
          ExpressionAttributeNames: {
            '#tenant': names['#tenant'],
            '#generation': names['#generation'],
            '#version': names['#version'],
            '#updatedAt': names['#updatedAt'],
            '#lastAgent': names['#lastAgent'],
            '#expiresAtMs': names['#expiresAtMs'],
            '#ttl': names['#ttl'],
            '#gsi1sk': names['#gsi1sk'],
            '#messageCount': names['#messageCount'],
          },
          ExpressionAttributeValues: {
            ':tenant': text(tenant),
            ':generation': text(head.generation),
            ':expected': number(expectedVersion),
            ':now': number(now),
            ':version': number(version),
            ':agent': text(turn.agent),
            ':expiresAtMs': number(expiresAtMs),
            ':ttl': number(Math.ceil(expiresAtMs / 1000)),
            ':gsi1sk': text(sessionKeys.tenantIndexSort(now, id)),
            ':added': number(turn.messages.length),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    ];
    turn.messages.forEach((message, index) => {
      actions.push({ Put: { TableName: this.table, Item: messageItem(partition, head.generation, version, index, message) } });
    });
    if (key !== undefined) {
      const turnItem: Item = {
        [attributeNames.partitionKey]: text(partition),
        [attributeNames.sortKey]: text(sessionKeys.turn(head.generation, key)),
        version: number(version),
        at: number(now),
      };
      const resultJson = JSON.stringify(turn.result) as string | undefined;
      if (resultJson !== undefined) turnItem.result = text(resultJson);
      if (turn.requestHash !== undefined) turnItem.requestHash = text(turn.requestHash);
      actions.push({
        Put: {
          TableName: this.table,
          Item: turnItem,
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': names['#pk'] },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      });
    }

    try {
      // The token makes an SDK retry of a commit whose answer was lost succeed instead of failing its own condition.
      await this.client.send(new TransactWriteItemsCommand({ TransactItems: actions, ClientRequestToken: randomUUID() }));
    } catch (error) {
      if (awsErrorName(error) !== 'TransactionCanceledException') throw error;
      return this.#cancelledOutcome((error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [], key !== undefined, tenant, id, head.generation, now);
    }
    const committed: Head = {
      ...head,
      summary: { ...head.summary, version, updatedAt: now, lastAgent: turn.agent },
      expiresAtMs,
      messageCount: head.messageCount + turn.messages.length,
    };
    // Without history the committed head is the answer: no read of the messages back.
    if (!withHistory) return { kind: 'committed', session: committed.summary };
    return { kind: 'committed', session: (await this.#read(tenant, id, now, committed))! };
  }

  /** Maps the per-action reasons of a cancelled turn to an outcome: gone, duplicate, conflict, or try again. */
  async #cancelledOutcome(
    reasons: CancellationReason[],
    hasKey: boolean,
    tenant: string,
    id: string,
    generation: string,
    now: number,
  ): Promise<AppendTurnOutcome | 'lost_race'> {
    const headReason = reasons[0];
    const turnReason = hasKey ? reasons[reasons.length - 1] : undefined;
    if (reasonFailed(headReason)) {
      const current = headReason?.Item;
      if (current === undefined || readText(current, 'tenant') !== tenant || readText(current, 'generation') !== generation || requireNumber(current, 'expiresAtMs') < now) {
        return { kind: 'not_found' };
      }
      if (!reasonFailed(turnReason)) return { kind: 'conflict', currentVersion: requireNumber(current, 'version') };
    }
    if (reasonFailed(turnReason)) {
      const earlier = turnReason?.Item;
      return { kind: 'duplicate', ...toTurnResult(earlier ?? {}) };
    }
    // TransactionConflict: another transaction held one of the items; nothing was written.
    return 'lost_race';
  }

  async #findTurnItem(id: string, generation: string, idempotencyKey: string): Promise<Item | undefined> {
    const { Item: item } = await this.client.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { [attributeNames.partitionKey]: text(sessionKeys.partition(id)), [attributeNames.sortKey]: text(sessionKeys.turn(generation, idempotencyKey)) },
        ConsistentRead: true,
      }),
    );
    return item;
  }

  async findTurn(tenant: string, id: string, idempotencyKey: string): Promise<{ result: unknown; requestHash?: string } | undefined> {
    if (typeof idempotencyKey !== 'string' || idempotencyKey.length === 0 || Buffer.byteLength(idempotencyKey, 'utf8') > maxIdempotencyKeyBytes) return undefined;
    const head = await this.#liveHead(tenant, id, this.now());
    if (head === undefined) return undefined;
    const item = await this.#findTurnItem(id, head.generation, idempotencyKey);
    return item === undefined ? undefined : toTurnResult(item);
  }

  async list(tenant: string, options?: { limit?: number; cursor?: string }): Promise<{ sessions: SessionSummary[]; nextCursor?: string }> {
    checkTenant(tenant);
    const { limit, cursor } = checkListOptions(options);
    const now = this.now();
    const sessions: SessionSummary[] = [];
    const values: Item = { ':tenant': text(sessionKeys.tenantIndexPartition(tenant)), ':now': number(now) };
    const expressionNames: Record<string, string> = { '#gsi1pk': attributeNames.tenantIndexPartition, '#expiresAtMs': names['#expiresAtMs'] };
    let keyCondition = '#gsi1pk = :tenant';
    if (cursor !== undefined) {
      keyCondition += ' AND #gsi1sk < :after';
      expressionNames['#gsi1sk'] = attributeNames.tenantIndexSort;
      values[':after'] = text(sessionKeys.tenantIndexSort(cursor.updatedAt, cursor.id));
    }
    let startKey: Item | undefined;
    // One more than the page, to know whether a next page exists; expired heads are filtered out server-side.
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: tenantIndexName,
          KeyConditionExpression: keyCondition,
          FilterExpression: '#expiresAtMs >= :now',
          ExpressionAttributeNames: expressionNames,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: limit + 1 - sessions.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) if (sessions.length <= limit) sessions.push(toHead(item).summary);
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && sessions.length <= limit);
    const pageSessions = sessions.slice(0, limit);
    const last = pageSessions[pageSessions.length - 1];
    return sessions.length > limit && last !== undefined ? { sessions: pageSessions, nextCursor: encodeSessionCursor(last) } : { sessions: pageSessions };
  }
}
