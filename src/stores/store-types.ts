/** The storage contracts: sessions, API keys and the usage ledger, whatever backend holds them. */

import type { ChatMessage } from '../chat/chat-types.js';

export interface StoredMessage extends ChatMessage {
  /** Milliseconds since the epoch. */
  at: number;
}

export interface Session {
  id: string;
  tenant: string;
  /** Starts at 0 and grows by one with every committed turn; the condition of every write. */
  version: number;
  createdAt: number;
  updatedAt: number;
  /** The agent of the last turn, so a follow-up can stay with it. */
  lastAgent?: string;
  metadata: Record<string, string>;
  messages: StoredMessage[];
}

/** Everything one turn adds, written at once or not at all. */
export interface TurnRecord {
  /** The messages of the turn in order: the user message, any tool calls and results, the assistant message. */
  messages: StoredMessage[];
  agent: string;
  /** When set, a second commit with the same key returns the first one's stored result. */
  idempotencyKey?: string;
  /** Hash of the request the key was first used with, to refuse a reuse with another body. */
  requestHash?: string;
  /** The reply as sent to the client, returned to a retry with the same idempotency key. */
  result?: unknown;
}

export type AppendTurnOutcome =
  | { kind: 'committed'; session: Session }
  /** The key was seen: nothing was written; `result` is what the first commit stored. */
  | { kind: 'duplicate'; result: unknown; requestHash?: string }
  /** The session's version is not `expectedVersion` any more: nothing was written. */
  | { kind: 'conflict'; currentVersion: number }
  | { kind: 'not_found' };

export interface CreateSessionInput {
  id?: string;
  tenant: string;
  metadata?: Record<string, string>;
  /** Seconds until the session expires; undefined for the store's default. */
  ttlSeconds?: number;
}

export interface SessionStore {
  create(input: CreateSessionInput): Promise<Session>;
  /** Undefined when the session does not exist or belongs to another tenant. */
  get(tenant: string, id: string): Promise<Session | undefined>;
  delete(tenant: string, id: string): Promise<boolean>;
  /** Appends a turn if and only if the session is at `expectedVersion`; atomic. */
  appendTurn(tenant: string, id: string, expectedVersion: number, turn: TurnRecord): Promise<AppendTurnOutcome>;
  /** The stored result of an earlier turn with this idempotency key, if any. */
  findTurn(tenant: string, id: string, idempotencyKey: string): Promise<{ result: unknown; requestHash?: string } | undefined>;
  /** A page of a tenant's sessions, newest first, without their messages. */
  list(tenant: string, options?: { limit?: number; cursor?: string }): Promise<{ sessions: Omit<Session, 'messages'>[]; nextCursor?: string }>;
}

export type KeyRole = 'admin' | 'user';

export interface ApiKeyRecord {
  id: string;
  tenant: string;
  role: KeyRole;
  tier: string;
  createdAt: number;
  revokedAt?: number;
}

export interface KeyStore {
  /** Makes a new key; the plain key is returned once and only its hash is stored. */
  create(input: { tenant: string; role?: KeyRole; tier?: string }): Promise<{ key: string; record: ApiKeyRecord }>;
  /** The record of a live key, undefined when unknown or revoked. */
  verify(key: string): Promise<ApiKeyRecord | undefined>;
  list(tenant?: string): Promise<ApiKeyRecord[]>;
  revoke(id: string): Promise<boolean>;
  count(): Promise<number>;
}

export interface UsageEntry {
  at: number;
  tenant: string;
  route: string;
  pool: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export interface UsageSummaryRow {
  route: string;
  pool: string;
  model: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export interface UsageLedger {
  record(entry: UsageEntry): Promise<void>;
  summary(tenant: string, options?: { since?: number; until?: number }): Promise<UsageSummaryRow[]>;
}

/** One backend holding all three; built once per process. */
export interface Store {
  readonly kind: string;
  readonly sessions: SessionStore;
  readonly keys: KeyStore;
  readonly usage: UsageLedger;
  close(): Promise<void>;
}
