/** The storage contracts: sessions, API keys, the usage ledger and experiments' shared state, whatever backend holds them. */

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

/**
 * A short, expiring claim on a session by the turn that loaded it, so a second turn learns it
 * would lose the version race before it pays for a model call. Advisory: the conditional commit
 * stays the final word, and an expired lease is simply taken over.
 */
export interface SessionLease {
  /** Who holds it: one turn, a random id. */
  holder: string;
  /** The holder's idempotency key and request hash, so a racing reuse of the key is told apart from another turn. */
  idempotencyKey?: string;
  requestHash?: string;
}

export type AcquireLeaseOutcome = { kind: 'acquired' } | { kind: 'held'; lease: SessionLease };

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
  /** Takes the session's lease for `ttlMs` unless another holder's lease is live; a holder may take its own again. */
  acquireLease(tenant: string, id: string, lease: SessionLease, ttlMs: number): Promise<AcquireLeaseOutcome>;
  /** Gives the lease back if `holder` still has it; never fails on a lease that expired or was taken over. */
  releaseLease(tenant: string, id: string, holder: string): Promise<void>;
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

/**
 * Increments of one statistic, in the additive form every pod can add without reading first:
 * a count, a sum and a sum of squares (docs/experiments.md says why not a mean and M2).
 */
export interface StatIncrement {
  experiment: string;
  variant: string;
  metric: string;
  count: number;
  sum: number;
  sumSquares: number;
}

/** The totals of one statistic of an experiment. */
export interface StatTotals {
  variant: string;
  metric: string;
  count: number;
  sum: number;
  sumSquares: number;
}

/** Which variant of which experiment a turn or completion was served by. */
export interface VariantRef {
  experiment: string;
  variant: string;
}

/** A committed turn (or completion) and the variants that served it, kept so feedback can find them. */
export interface ExposureRecord {
  /** The turn id (`turn_…`) or the completion id (`chatcmpl-…`). */
  id: string;
  tenant: string;
  sessionId?: string;
  at: number;
  variants: VariantRef[];
}

export interface FeedbackRecord {
  tenant: string;
  /** What the feedback is about: one turn, or a whole session. Feedback counts once per target and metric. */
  targetKind: 'turn' | 'session';
  targetId: string;
  metric: string;
  value: number;
  comment?: string;
  at: number;
  /** The variants the feedback was counted for. */
  variants: VariantRef[];
}

/** An experiment's live control state: opaque JSON to the store, versioned so writers compare and set. */
export interface ControlDocument {
  /** 1 for the first write, one more per write. */
  revision: number;
  state: unknown;
}

export interface ExperimentStore {
  /** Adds every increment; concurrent adds from any number of processes never lose one. */
  addStats(increments: readonly StatIncrement[]): Promise<void>;
  /** Every statistic of one experiment. */
  stats(experiment: string): Promise<StatTotals[]>;
  /** Keeps a turn's variants for `ttlSeconds`; with a session and at least one variant, also as the session's latest. */
  recordExposure(record: ExposureRecord, ttlSeconds: number): Promise<void>;
  /** Undefined when unknown, expired or another tenant's. */
  findExposure(tenant: string, id: string): Promise<ExposureRecord | undefined>;
  /** The session's latest exposure that had variants: what feedback on the whole session is counted for. */
  latestExposure(tenant: string, sessionId: string): Promise<ExposureRecord | undefined>;
  /**
   * Stores the feedback and adds `increments`, both or neither, if no feedback for the same
   * target and metric was stored before; otherwise changes nothing and answers `duplicate`.
   */
  recordFeedback(feedback: FeedbackRecord, increments: readonly StatIncrement[]): Promise<'recorded' | 'duplicate'>;
  findFeedback(tenant: string, targetKind: FeedbackRecord['targetKind'], targetId: string, metric: string): Promise<FeedbackRecord | undefined>;
  readControl(experiment: string): Promise<ControlDocument | undefined>;
  /** Writes revision `expectedRevision + 1` if the stored one is `expectedRevision` (0: none stored yet); false when another writer was first. */
  writeControl(experiment: string, expectedRevision: number, state: unknown): Promise<boolean>;
  /** The variant pinned for (experiment, unit): `variant` if none was, else the one pinned first. */
  pinVariant(experiment: string, unit: string, variant: string, ttlSeconds: number): Promise<string>;
}

/** One backend holding all of it; built once per process. */
export interface Store {
  readonly kind: string;
  readonly sessions: SessionStore;
  readonly keys: KeyStore;
  readonly usage: UsageLedger;
  readonly experiments: ExperimentStore;
  close(): Promise<void>;
}
