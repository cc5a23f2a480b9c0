/**
 * Experiments' shared state in the DynamoDB table: one item per statistic summed by `ADD`
 * (atomic, so concurrent pods never lose an increment), control state put on the condition that
 * its revision is the one read, and feedback stored with its increments in one transaction whose
 * first action succeeds only if no feedback for the same target and metric exists.
 */

import { GetItemCommand, PutItemCommand, QueryCommand, TransactWriteItemsCommand, UpdateItemCommand, type DynamoDBClient, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { ControlDocument, ExperimentStore, ExposureRecord, FeedbackRecord, StatIncrement, StatTotals } from '../store-types.js';
import { IncompleteStatsError, checkExperimentName, checkExposure, checkFeedback, checkId, checkIncrements, checkRevision, controlJson } from '../experiment-input.js';
import { checkTtlSeconds } from '../store-input.js';
import { number, readNumber, readText, requireNumber, requireText, text, type Item } from './dynamodb-attributes.js';
import { awsErrorName } from './dynamodb-client.js';
import { attributeNames, experimentKeys } from './dynamodb-item-keys.js';

/** DynamoDB numbers hold magnitudes from 1e-130; anything smaller is rounded to 0 rather than refused. */
function dynamoNumber(value: number): string {
  return Math.abs(value) < 1e-100 ? '0' : String(value);
}

/** One transaction takes at most 100 actions: the feedback item and up to 99 statistics. */
const maxFeedbackIncrements = 99;

function key(partition: string, sort: string): Item {
  return { [attributeNames.partitionKey]: text(partition), [attributeNames.sortKey]: text(sort) };
}

function statUpdate(table: string, increment: StatIncrement, atomicAdd: boolean) {
  const base = {
    TableName: table,
    Key: key(experimentKeys.partition(increment.experiment), experimentKeys.stat(increment.variant, increment.metric)),
    ExpressionAttributeNames: { '#count': 'count', '#sum': 'sum', '#sumSquares': 'sumSquares', '#variant': 'variant', '#metric': 'metric' },
    ExpressionAttributeValues: {
      ':count': { N: dynamoNumber(increment.count) },
      ':sum': { N: dynamoNumber(increment.sum) },
      ':sumSquares': { N: dynamoNumber(increment.sumSquares) },
      ':variant': text(increment.variant),
      ':metric': text(increment.metric),
    } as Item,
  };
  if (atomicAdd) return { ...base, UpdateExpression: 'ADD #count :count, #sum :sum, #sumSquares :sumSquares SET #variant = :variant, #metric = :metric' };
  // Inside a transaction the same arithmetic as SET, which the transaction makes atomic with the feedback item.
  (base.ExpressionAttributeValues as Item)[':zero'] = number(0);
  return {
    ...base,
    UpdateExpression:
      'SET #count = if_not_exists(#count, :zero) + :count, #sum = if_not_exists(#sum, :zero) + :sum, #sumSquares = if_not_exists(#sumSquares, :zero) + :sumSquares, #variant = :variant, #metric = :metric',
  };
}

function toExposure(item: Item): ExposureRecord {
  const record: ExposureRecord = {
    id: requireText(item, 'id'),
    tenant: requireText(item, 'tenant'),
    at: requireNumber(item, 'at'),
    variants: JSON.parse(requireText(item, 'variants')) as ExposureRecord['variants'],
  };
  const sessionId = readText(item, 'sessionId');
  if (sessionId !== undefined) record.sessionId = sessionId;
  return record;
}

export class DynamoDbExperimentStore implements ExperimentStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly now: () => number,
  ) {}

  async addStats(increments: readonly StatIncrement[]): Promise<void> {
    checkIncrements(increments);
    // One UpdateItem per statistic: ADD is atomic per item and never conflicts with another pod's ADD, as a transaction would.
    const outcomes = await Promise.allSettled(increments.map((increment) => this.client.send(new UpdateItemCommand(statUpdate(this.table, increment, true)))));
    const failed = increments.filter((_increment, index) => outcomes[index]!.status === 'rejected');
    if (failed.length > 0) throw new IncompleteStatsError(failed, (outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult).reason);
  }

  async stats(experiment: string): Promise<StatTotals[]> {
    checkExperimentName(experiment);
    const totals: StatTotals[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          ConsistentRead: true,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': attributeNames.partitionKey, '#sk': attributeNames.sortKey },
          ExpressionAttributeValues: { ':pk': text(experimentKeys.partition(experiment)), ':prefix': text(experimentKeys.statPrefix) },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        totals.push({
          variant: requireText(item, 'variant'),
          metric: requireText(item, 'metric'),
          count: readNumber(item, 'count') ?? 0,
          sum: readNumber(item, 'sum') ?? 0,
          sumSquares: readNumber(item, 'sumSquares') ?? 0,
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return totals;
  }

  async recordExposure(record: ExposureRecord, ttlSeconds: number): Promise<void> {
    const checked = checkExposure(record);
    const expiresAtMs = this.now() + checkTtlSeconds(ttlSeconds, 'ttlSeconds') * 1000;
    const body: Item = {
      id: text(checked.id),
      tenant: text(checked.tenant),
      at: number(checked.at),
      variants: text(JSON.stringify(checked.variants)),
      expiresAtMs: number(expiresAtMs),
      [attributeNames.timeToLive]: number(Math.ceil(expiresAtMs / 1000)),
    };
    if (checked.sessionId !== undefined) body.sessionId = text(checked.sessionId);
    const puts = [this.client.send(new PutItemCommand({ TableName: this.table, Item: { ...key(experimentKeys.exposure(checked.id), experimentKeys.exposureSort), ...body } }))];
    if (checked.sessionId !== undefined && checked.variants.length > 0) {
      puts.push(
        this.client.send(
          new PutItemCommand({ TableName: this.table, Item: { ...key(experimentKeys.latestExposure(checked.tenant, checked.sessionId), experimentKeys.latestExposureSort), ...body } }),
        ),
      );
    }
    await Promise.all(puts);
  }

  async #liveExposure(itemKey: Item, tenant: string): Promise<ExposureRecord | undefined> {
    const { Item: item } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: itemKey, ConsistentRead: true }));
    if (item === undefined || readText(item, 'tenant') !== tenant || requireNumber(item, 'expiresAtMs') < this.now()) return undefined;
    return toExposure(item);
  }

  findExposure(tenant: string, id: string): Promise<ExposureRecord | undefined> {
    return this.#liveExposure(key(experimentKeys.exposure(id), experimentKeys.exposureSort), tenant);
  }

  latestExposure(tenant: string, sessionId: string): Promise<ExposureRecord | undefined> {
    return this.#liveExposure(key(experimentKeys.latestExposure(tenant, sessionId), experimentKeys.latestExposureSort), tenant);
  }

  async recordFeedback(feedback: FeedbackRecord, increments: readonly StatIncrement[]): Promise<'recorded' | 'duplicate'> {
    const checked = checkFeedback(feedback);
    checkIncrements(increments);
    if (increments.length > maxFeedbackIncrements) throw new RangeError(`recordFeedback: at most ${maxFeedbackIncrements} increments fit one DynamoDB transaction`);
    const item: Item = {
      ...key(experimentKeys.feedback(checked.tenant, checked.targetKind, checked.targetId), checked.metric),
      tenant: text(checked.tenant),
      targetKind: text(checked.targetKind),
      targetId: text(checked.targetId),
      metric: text(checked.metric),
      value: { N: dynamoNumber(checked.value) },
      at: number(checked.at),
      variants: text(JSON.stringify(checked.variants)),
    };
    if (checked.comment !== undefined) item.comment = text(checked.comment);
    const actions: TransactWriteItem[] = [
      { Put: { TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': attributeNames.partitionKey } } },
      ...increments.map((increment) => ({ Update: statUpdate(this.table, increment, false) })),
    ];
    try {
      await this.client.send(new TransactWriteItemsCommand({ TransactItems: actions }));
      return 'recorded';
    } catch (error) {
      if (awsErrorName(error) !== 'TransactionCanceledException') throw error;
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'duplicate';
      throw error;
    }
  }

  async findFeedback(tenant: string, targetKind: FeedbackRecord['targetKind'], targetId: string, metric: string): Promise<FeedbackRecord | undefined> {
    const { Item: item } = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: key(experimentKeys.feedback(tenant, targetKind, targetId), metric), ConsistentRead: true }),
    );
    if (item === undefined) return undefined;
    const record: FeedbackRecord = {
      tenant: requireText(item, 'tenant'),
      targetKind: requireText(item, 'targetKind') as FeedbackRecord['targetKind'],
      targetId: requireText(item, 'targetId'),
      metric: requireText(item, 'metric'),
      value: requireNumber(item, 'value'),
      at: requireNumber(item, 'at'),
      variants: JSON.parse(requireText(item, 'variants')) as FeedbackRecord['variants'],
    };
    const comment = readText(item, 'comment');
    if (comment !== undefined) record.comment = comment;
    return record;
  }

  async readControl(experiment: string): Promise<ControlDocument | undefined> {
    checkExperimentName(experiment);
    const { Item: item } = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: key(experimentKeys.partition(experiment), experimentKeys.control), ConsistentRead: true }),
    );
    return item === undefined ? undefined : { revision: requireNumber(item, 'revision'), state: JSON.parse(requireText(item, 'state')) };
  }

  async writeControl(experiment: string, expectedRevision: number, state: unknown): Promise<boolean> {
    checkExperimentName(experiment);
    checkRevision(expectedRevision);
    const json = controlJson(state);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { ...key(experimentKeys.partition(experiment), experimentKeys.control), revision: number(expectedRevision + 1), state: text(json) },
          ConditionExpression: expectedRevision === 0 ? 'attribute_not_exists(#pk)' : '#revision = :expected',
          ExpressionAttributeNames: expectedRevision === 0 ? { '#pk': attributeNames.partitionKey } : { '#revision': 'revision' },
          ...(expectedRevision === 0 ? {} : { ExpressionAttributeValues: { ':expected': number(expectedRevision) } }),
        }),
      );
      return true;
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async pinVariant(experiment: string, unit: string, variant: string, ttlSeconds: number): Promise<string> {
    checkExperimentName(experiment);
    checkId(unit, 'unit');
    checkExperimentName(variant, 'variant');
    const now = this.now();
    const expiresAtMs = now + checkTtlSeconds(ttlSeconds, 'ttlSeconds') * 1000;
    const pinKey = key(experimentKeys.partition(experiment), experimentKeys.pin(unit));
    try {
      // An expired pin may linger until the TTL sweeper runs: it is taken over.
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { ...pinKey, variant: text(variant), expiresAtMs: number(expiresAtMs), [attributeNames.timeToLive]: number(Math.ceil(expiresAtMs / 1000)) },
          ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAtMs < :now',
          ExpressionAttributeNames: { '#pk': attributeNames.partitionKey, '#expiresAtMs': 'expiresAtMs' },
          ExpressionAttributeValues: { ':now': number(now) },
        }),
      );
      return variant;
    } catch (error) {
      if (awsErrorName(error) !== 'ConditionalCheckFailedException') throw error;
    }
    const { Item: item } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: pinKey, ConsistentRead: true }));
    return item === undefined ? variant : requireText(item, 'variant');
  }
}
