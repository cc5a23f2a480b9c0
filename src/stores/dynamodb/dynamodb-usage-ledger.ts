/**
 * The usage ledger in DynamoDB: one item per model call in a partition per tenant and UTC day, plus one
 * marker item per (tenant, day) so a summary reads only the days that have usage.
 */

import { randomBytes } from 'node:crypto';
import { BatchWriteItemCommand, PutItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { UsageEntry, UsageLedger, UsageSummaryRow } from '../store-types.js';
import { checkTenant, checkUsageEntry, checkUsageWindow } from '../store-input.js';
import { summarizeUsage } from '../usage-summary.js';
import { number, requireNumber, requireText, text, type Item } from './dynamodb-attributes.js';
import { attributeNames, padNumber, usageDayKey, usageKeys } from './dynamodb-item-keys.js';

/** Day markers this process has written, so a busy tenant pays for its marker once a day, not once a call. */
const maxRememberedDays = 10_000;

export class DynamoDbUsageLedger implements UsageLedger {
  readonly #markedDays = new Set<string>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async record(entry: UsageEntry): Promise<void> {
    checkUsageEntry(entry);
    const dayKey = usageDayKey(entry.at);
    const item: Item = {
      [attributeNames.partitionKey]: text(usageKeys.entries(entry.tenant, dayKey)),
      // A random suffix keeps two calls in the same millisecond two items.
      [attributeNames.sortKey]: text(`${padNumber(entry.at, 15)}#${randomBytes(6).toString('base64url')}`),
      at: number(entry.at),
      route: text(entry.route),
      pool: text(entry.pool),
      model: text(entry.model),
      promptTokens: number(entry.promptTokens),
      completionTokens: number(entry.completionTokens),
      costUsd: number(entry.costUsd),
    };
    const marker = `${entry.tenant}\u0000${dayKey}`;
    if (this.#markedDays.has(marker)) {
      await this.client.send(new PutItemCommand({ TableName: this.table, Item: item }));
      return;
    }
    const markerItem: Item = { [attributeNames.partitionKey]: text(usageKeys.days(entry.tenant)), [attributeNames.sortKey]: text(dayKey) };
    const { UnprocessedItems } = await this.client.send(
      new BatchWriteItemCommand({ RequestItems: { [this.table]: [{ PutRequest: { Item: item } }, { PutRequest: { Item: markerItem } }] } }),
    );
    for (const request of UnprocessedItems?.[this.table] ?? []) {
      if (request.PutRequest?.Item) await this.client.send(new PutItemCommand({ TableName: this.table, Item: request.PutRequest.Item }));
    }
    if (this.#markedDays.size >= maxRememberedDays) this.#markedDays.clear();
    this.#markedDays.add(marker);
  }

  async #queryAll(input: { partition: string; between?: [string, string]; filter?: { since: number; until: number } }): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    const names: Record<string, string> = { '#pk': attributeNames.partitionKey };
    const values: Item = { ':pk': text(input.partition) };
    let keyCondition = '#pk = :pk';
    if (input.between) {
      keyCondition += ' AND #sk BETWEEN :from AND :to';
      names['#sk'] = attributeNames.sortKey;
      values[':from'] = text(input.between[0]);
      values[':to'] = text(input.between[1]);
    }
    let filterExpression: string | undefined;
    if (input.filter) {
      filterExpression = '#at >= :since AND #at < :until';
      names['#at'] = 'at';
      values[':since'] = number(input.filter.since);
      values[':until'] = number(input.filter.until);
    }
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: keyCondition,
          FilterExpression: filterExpression,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }

  async summary(tenant: string, options?: { since?: number; until?: number }): Promise<UsageSummaryRow[]> {
    checkTenant(tenant);
    const { since, until } = checkUsageWindow(options);
    if (since >= until) return [];
    const days = await this.#queryAll({ partition: usageKeys.days(tenant), between: [usageDayKey(since), usageDayKey(until)] });
    const entries: Item[] = [];
    for (const day of days) {
      entries.push(...(await this.#queryAll({ partition: usageKeys.entries(tenant, requireText(day, attributeNames.sortKey)), filter: { since, until } })));
    }
    return summarizeUsage(
      entries.map((item) => ({
        route: requireText(item, 'route'),
        pool: requireText(item, 'pool'),
        model: requireText(item, 'model'),
        promptTokens: requireNumber(item, 'promptTokens'),
        completionTokens: requireNumber(item, 'completionTokens'),
        costUsd: requireNumber(item, 'costUsd'),
      })),
    );
  }
}
