/** How sessions map to DynamoDB items and back: the head, the messages, the stored turn results, and what fits in a transaction. */

import { SwitchboardError } from '../../errors.js';
import type { SessionSummary, StoredMessage, TurnRecord } from '../store-types.js';
import { number, readNumber, readText, readTextMap, requireNumber, requireText, text, type Item } from './dynamodb-attributes.js';
import { attributeNames, sessionKeys } from './dynamodb-item-keys.js';

export type { SessionSummary };

/** TransactWriteItems takes at most 100 actions: the head, the turn result and the messages. */
export const maxMessagesPerTurn = 98;
/** DynamoDB refuses items over 400 KB; one message is one item, so a message may use most of that. */
export const maxMessageBytes = 350_000;
/** Sort keys hold at most 1024 bytes; the idempotency key is part of one. */
export const maxIdempotencyKeyBytes = 512;

/** A session head as read: the public summary plus what only the store needs. */
export interface Head {
  summary: SessionSummary;
  generation: string;
  ttlSeconds: number;
  expiresAtMs: number;
  messageCount: number;
}

export function invalid(param: string, message: string): SwitchboardError {
  return new SwitchboardError('invalid_request', message, { param });
}

export function toHead(item: Item): Head {
  const summary: SessionSummary = {
    id: requireText(item, 'id'),
    tenant: requireText(item, 'tenant'),
    version: requireNumber(item, 'version'),
    createdAt: requireNumber(item, 'createdAt'),
    updatedAt: requireNumber(item, 'updatedAt'),
    metadata: readTextMap(item, 'metadata'),
  };
  const lastAgent = readText(item, 'lastAgent');
  if (lastAgent !== undefined) summary.lastAgent = lastAgent;
  return {
    summary,
    generation: requireText(item, 'generation'),
    ttlSeconds: requireNumber(item, 'ttlSeconds'),
    expiresAtMs: requireNumber(item, 'expiresAtMs'),
    messageCount: readNumber(item, 'messageCount') ?? 0,
  };
}

export function toMessage(item: Item): StoredMessage {
  const message: StoredMessage = { role: requireText(item, 'role') as StoredMessage['role'], content: requireText(item, 'content'), at: requireNumber(item, 'at') };
  const name = readText(item, 'name');
  if (name !== undefined) message.name = name;
  const toolCallId = readText(item, 'toolCallId');
  if (toolCallId !== undefined) message.toolCallId = toolCallId;
  const toolCalls = readText(item, 'toolCalls');
  if (toolCalls !== undefined) message.toolCalls = JSON.parse(toolCalls) as StoredMessage['toolCalls'];
  return message;
}

export function messageItem(partition: string, generation: string, version: number, index: number, message: StoredMessage): Item {
  const item: Item = {
    [attributeNames.partitionKey]: text(partition),
    [attributeNames.sortKey]: text(sessionKeys.message(generation, version, index)),
    version: number(version),
    role: text(message.role),
    content: text(message.content),
    at: number(message.at),
  };
  if (message.name !== undefined) item.name = text(message.name);
  if (message.toolCallId !== undefined) item.toolCallId = text(message.toolCallId);
  if (message.toolCalls !== undefined) item.toolCalls = text(JSON.stringify(message.toolCalls));
  return item;
}

export function toTurnResult(item: Item): { result: unknown; requestHash?: string } {
  const resultJson = readText(item, 'result');
  const found: { result: unknown; requestHash?: string } = { result: resultJson === undefined ? undefined : JSON.parse(resultJson) };
  const requestHash = readText(item, 'requestHash');
  if (requestHash !== undefined) found.requestHash = requestHash;
  return found;
}

/** Refuses, before any write, a turn DynamoDB would refuse halfway (too many actions, an item too large). */
export function checkTurnFitsDynamoDb(turn: TurnRecord): void {
  if (turn.messages.length > maxMessagesPerTurn) {
    throw invalid('messages', `a turn holds at most ${maxMessagesPerTurn} messages in the DynamoDB store (one transaction), got ${turn.messages.length}`);
  }
  turn.messages.forEach((message, index) => {
    const bytes = Buffer.byteLength(message.content, 'utf8') + (message.toolCalls === undefined ? 0 : Buffer.byteLength(JSON.stringify(message.toolCalls), 'utf8'));
    if (bytes > maxMessageBytes) throw invalid(`messages[${index}]`, `messages[${index}] is ${bytes} bytes; the DynamoDB store keeps messages of at most ${maxMessageBytes}`);
  });
  if (turn.idempotencyKey !== undefined && Buffer.byteLength(turn.idempotencyKey, 'utf8') > maxIdempotencyKeyBytes) {
    throw invalid('idempotencyKey', `idempotencyKey must be at most ${maxIdempotencyKeyBytes} bytes`);
  }
}
