/** Checks and normalises what callers hand to a store, so every backend refuses bad input the same way. */

import { randomUUID } from 'node:crypto';
import { SwitchboardError } from '../errors.js';
import type { ChatRole } from '../chat/chat-types.js';
import type { CreateSessionInput, StoredMessage, TurnRecord, UsageEntry } from './store-types.js';

/** Sessions live a week after their last turn unless the store or the caller says otherwise. */
export const defaultSessionTtlSeconds = 7 * 24 * 3600;
export const defaultListLimit = 20;
export const maxListLimit = 100;

const sessionIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;
const chatRoles: ReadonlySet<string> = new Set<ChatRole>(['system', 'user', 'assistant', 'tool']);

function invalid(param: string, message: string): SwitchboardError {
  return new SwitchboardError('invalid_request', message, { param });
}

function checkNonEmptyString(value: unknown, param: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(param, `${param} must be a non-empty string`);
  return value;
}

export function checkTenant(tenant: unknown): string {
  return checkNonEmptyString(tenant, 'tenant');
}

export function checkTtlSeconds(ttlSeconds: unknown, param: string): number {
  if (typeof ttlSeconds !== 'number' || !Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw invalid(param, `${param} must be a positive number of seconds`);
  }
  return ttlSeconds;
}

export interface NormalizedSessionInput {
  id: string;
  tenant: string;
  metadata: Record<string, string>;
  ttlSeconds: number;
}

export function checkCreateSessionInput(input: CreateSessionInput, defaultTtlSeconds: number): NormalizedSessionInput {
  if (typeof input !== 'object' || input === null) throw invalid('input', 'session input must be an object');
  const tenant = checkTenant(input.tenant);
  let id: string;
  if (input.id === undefined) id = randomUUID();
  else if (typeof input.id === 'string' && sessionIdPattern.test(input.id)) id = input.id;
  else throw invalid('id', 'id must be 1–128 characters of letters, digits, ".", "_", ":" or "-"');
  const metadata: Record<string, string> = {};
  if (input.metadata !== undefined) {
    if (typeof input.metadata !== 'object' || input.metadata === null || Array.isArray(input.metadata)) {
      throw invalid('metadata', 'metadata must be an object of strings');
    }
    for (const [name, value] of Object.entries(input.metadata)) {
      if (typeof value !== 'string') throw invalid(`metadata.${name}`, `metadata.${name} must be a string`);
      metadata[name] = value;
    }
  }
  const ttlSeconds = input.ttlSeconds === undefined ? defaultTtlSeconds : checkTtlSeconds(input.ttlSeconds, 'ttlSeconds');
  return { id, tenant, metadata, ttlSeconds };
}

export function checkExpectedVersion(expectedVersion: unknown): number {
  if (typeof expectedVersion !== 'number' || !Number.isSafeInteger(expectedVersion) || expectedVersion < 0) {
    throw invalid('expectedVersion', 'expectedVersion must be a non-negative integer');
  }
  return expectedVersion;
}

/** A copy of a message holding only its defined fields, so every backend returns the same shape. */
export function copyStoredMessage(message: StoredMessage): StoredMessage {
  const copy: StoredMessage = { role: message.role, content: message.content, at: message.at };
  if (message.name !== undefined) copy.name = message.name;
  if (message.toolCallId !== undefined) copy.toolCallId = message.toolCallId;
  if (message.toolCalls !== undefined) copy.toolCalls = JSON.parse(JSON.stringify(message.toolCalls)) as StoredMessage['toolCalls'];
  return copy;
}

function checkStoredMessage(message: unknown, index: number): StoredMessage {
  const param = `messages[${index}]`;
  if (typeof message !== 'object' || message === null) throw invalid(param, `${param} must be an object`);
  const { role, content, at, name, toolCallId, toolCalls } = message as Partial<Record<keyof StoredMessage, unknown>>;
  if (typeof role !== 'string' || !chatRoles.has(role)) throw invalid(`${param}.role`, `${param}.role must be system, user, assistant or tool`);
  if (typeof content !== 'string') throw invalid(`${param}.content`, `${param}.content must be a string`);
  if (typeof at !== 'number' || !Number.isFinite(at)) throw invalid(`${param}.at`, `${param}.at must be a number of milliseconds`);
  if (name !== undefined && typeof name !== 'string') throw invalid(`${param}.name`, `${param}.name must be a string`);
  if (toolCallId !== undefined && typeof toolCallId !== 'string') throw invalid(`${param}.toolCallId`, `${param}.toolCallId must be a string`);
  if (toolCalls !== undefined && !Array.isArray(toolCalls)) throw invalid(`${param}.toolCalls`, `${param}.toolCalls must be an array`);
  return message as StoredMessage;
}

/** Validates a turn in place (no copy: backends serialise or copy it themselves). */
export function checkTurnRecord(turn: TurnRecord): TurnRecord {
  if (typeof turn !== 'object' || turn === null) throw invalid('turn', 'turn must be an object');
  if (!Array.isArray(turn.messages) || turn.messages.length === 0) throw invalid('messages', 'a turn needs at least one message');
  for (let index = 0; index < turn.messages.length; index++) checkStoredMessage(turn.messages[index], index);
  checkNonEmptyString(turn.agent, 'agent');
  if (turn.idempotencyKey !== undefined) checkNonEmptyString(turn.idempotencyKey, 'idempotencyKey');
  if (turn.requestHash !== undefined && typeof turn.requestHash !== 'string') throw invalid('requestHash', 'requestHash must be a string');
  return turn;
}

/** Where a page starts: strictly after this (updatedAt, id) in newest-first order. */
export interface SessionCursor {
  updatedAt: number;
  id: string;
}

export function encodeSessionCursor(cursor: SessionCursor): string {
  return Buffer.from(`${cursor.updatedAt}:${cursor.id}`, 'utf8').toString('base64url');
}

export function decodeSessionCursor(cursor: string): SessionCursor {
  const text = typeof cursor === 'string' ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const colon = text.indexOf(':');
  const updatedAt = Number(text.slice(0, colon));
  const id = text.slice(colon + 1);
  if (colon <= 0 || !Number.isSafeInteger(updatedAt) || id.length === 0) throw invalid('cursor', 'cursor is not one this store handed out');
  return { updatedAt, id };
}

export function checkListOptions(options: { limit?: number; cursor?: string } | undefined): { limit: number; cursor?: SessionCursor } {
  const limit = options?.limit ?? defaultListLimit;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > maxListLimit) {
    throw invalid('limit', `limit must be an integer from 1 to ${maxListLimit}`);
  }
  return options?.cursor === undefined ? { limit } : { limit, cursor: decodeSessionCursor(options.cursor) };
}

/** Newest first: later updatedAt, then the larger id. */
export function isBeforeCursor(session: SessionCursor, cursor: SessionCursor): boolean {
  return session.updatedAt < cursor.updatedAt || (session.updatedAt === cursor.updatedAt && session.id < cursor.id);
}

function checkCount(value: unknown, param: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalid(param, `${param} must be a non-negative number`);
  return value;
}

export function checkUsageEntry(entry: UsageEntry): UsageEntry {
  if (typeof entry !== 'object' || entry === null) throw invalid('entry', 'usage entry must be an object');
  if (typeof entry.at !== 'number' || !Number.isFinite(entry.at)) throw invalid('at', 'at must be a number of milliseconds');
  checkTenant(entry.tenant);
  for (const field of ['route', 'pool', 'model'] as const) {
    if (typeof entry[field] !== 'string') throw invalid(field, `${field} must be a string`);
  }
  checkCount(entry.promptTokens, 'promptTokens');
  checkCount(entry.completionTokens, 'completionTokens');
  checkCount(entry.costUsd, 'costUsd');
  return entry;
}

/** A half-open window [since, until) with open ends filled in. */
export function checkUsageWindow(options: { since?: number; until?: number } | undefined): { since: number; until: number } {
  const since = options?.since ?? Number.MIN_SAFE_INTEGER;
  const until = options?.until ?? Number.MAX_SAFE_INTEGER;
  if (typeof since !== 'number' || Number.isNaN(since)) throw invalid('since', 'since must be a number of milliseconds');
  if (typeof until !== 'number' || Number.isNaN(until)) throw invalid('until', 'until must be a number of milliseconds');
  return { since, until };
}

/** `AppendTurnOptions.releaseLease`: absent, or the holder id of a lease. */
export function checkReleaseLease(holder: unknown): string | undefined {
  return holder === undefined ? undefined : checkNonEmptyString(holder, 'releaseLease');
}

/** A lease's holder (and its optional key and hash) and its lifetime in milliseconds. */
export function checkLease(lease: unknown, ttlMs: unknown): { holder: string; idempotencyKey?: string; requestHash?: string; ttlMs: number } {
  if (typeof lease !== 'object' || lease === null) throw invalid('lease', 'lease must be an object with a holder');
  const { holder, idempotencyKey, requestHash } = lease as Record<string, unknown>;
  const checked: { holder: string; idempotencyKey?: string; requestHash?: string; ttlMs: number } = { holder: checkNonEmptyString(holder, 'lease.holder'), ttlMs: 0 };
  if (idempotencyKey !== undefined) checked.idempotencyKey = checkNonEmptyString(idempotencyKey, 'lease.idempotencyKey');
  if (requestHash !== undefined) checked.requestHash = checkNonEmptyString(requestHash, 'lease.requestHash');
  if (typeof ttlMs !== 'number' || !Number.isInteger(ttlMs) || ttlMs <= 0) throw invalid('ttlMs', 'ttlMs must be a positive integer of milliseconds');
  checked.ttlMs = ttlMs;
  return checked;
}
