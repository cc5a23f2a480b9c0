/** The audit log in the DynamoDB table: one item per admin action under one partition, read newest first. */

import { randomBytes } from 'node:crypto';
import { PutItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { checkAuditEntry, checkAuditLimit } from '../api-key-hash.js';
import type { AuditEntry, AuditLog } from '../store-types.js';
import { number, readText, requireNumber, requireText, text } from './dynamodb-attributes.js';
import { attributeNames, auditKeys } from './dynamodb-item-keys.js';

export class DynamoDbAuditLog implements AuditLog {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    checkAuditEntry(entry);
    const item = {
      [attributeNames.partitionKey]: text(auditKeys.partition),
      [attributeNames.sortKey]: text(auditKeys.sort(entry.at, randomBytes(6).toString('hex'))),
      at: number(entry.at),
      actorKey: text(entry.actor.keyId),
      actorTenant: text(entry.actor.tenant),
      action: text(entry.action),
      target: text(entry.target),
      ...(entry.details === undefined ? {} : { details: text(JSON.stringify(entry.details)) }),
    };
    await this.client.send(new PutItemCommand({ TableName: this.table, Item: item }));
  }

  async list(options?: { limit?: number }): Promise<AuditEntry[]> {
    const { Items: items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: '#pk = :audit',
        ExpressionAttributeNames: { '#pk': attributeNames.partitionKey },
        ExpressionAttributeValues: { ':audit': text(auditKeys.partition) },
        ScanIndexForward: false,
        Limit: checkAuditLimit(options),
        ConsistentRead: true,
      }),
    );
    return items.map((item) => {
      const entry: AuditEntry = {
        at: requireNumber(item, 'at'),
        actor: { keyId: requireText(item, 'actorKey'), tenant: requireText(item, 'actorTenant') },
        action: requireText(item, 'action'),
        target: requireText(item, 'target'),
      };
      const details = readText(item, 'details');
      if (details !== undefined) entry.details = JSON.parse(details) as Record<string, unknown>;
      return entry;
    });
  }
}
