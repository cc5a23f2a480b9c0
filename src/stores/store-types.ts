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

/** A session without its messages. */
export type SessionSummary = Omit<Session, 'messages'>;

/** `session` is the committed session: with its whole history by default, or only its summary when the caller asked for no history. */
export type AppendTurnOutcome<Committed extends SessionSummary = Session> =
  /** `leaseReleased`: the lease named by `AppendTurnOptions.releaseLease` was given back in the same write. */
  | { kind: 'committed'; session: Committed; leaseReleased?: true }
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

export interface AppendTurnOptions {
  history: false;
  /**
   * The holder of the session's lease the turn took: a store that can give it back in the commit's own write
   * does so when the turn commits (and says `leaseReleased`), sparing the turn a write of its own; otherwise,
   * and on any other outcome, the caller still releases it.
   */
  releaseLease?: string;
}

export interface SessionStore {
  create(input: CreateSessionInput): Promise<Session>;
  /** Undefined when the session does not exist or belongs to another tenant. */
  get(tenant: string, id: string): Promise<Session | undefined>;
  delete(tenant: string, id: string): Promise<boolean>;
  /** Appends a turn if and only if the session is at `expectedVersion`; atomic. */
  appendTurn(tenant: string, id: string, expectedVersion: number, turn: TurnRecord): Promise<AppendTurnOutcome>;
  /** The same commit, answering with the session's summary only: a caller that needs no history spares the backend reading it back. */
  appendTurn(tenant: string, id: string, expectedVersion: number, turn: TurnRecord, options: AppendTurnOptions): Promise<AppendTurnOutcome<SessionSummary>>;
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

/** A monthly cap on the tenant's model use while calling with this key (calendar month, UTC). */
export interface KeyBudget {
  tokensPerMonth?: number;
  usdPerMonth?: number;
}

export interface ApiKeyRecord {
  id: string;
  tenant: string;
  role: KeyRole;
  tier: string;
  createdAt: number;
  revokedAt?: number;
  /** Milliseconds since the epoch; from then on the key does not verify. */
  expiresAt?: number;
  budget?: KeyBudget;
}

export interface NewKeyInput {
  tenant: string;
  role?: KeyRole;
  tier?: string;
  expiresAt?: number;
  budget?: KeyBudget;
}

export interface KeyStore {
  /** Makes a new key; the plain key is returned once and only its hash is stored. */
  create(input: NewKeyInput): Promise<{ key: string; record: ApiKeyRecord }>;
  /**
   * Makes an admin key if and only if no first admin key was ever made on this store, by any
   * process: of pods starting together on one store, exactly one gets a key, the others undefined.
   */
  createFirstAdmin(input: { tenant: string }): Promise<{ key: string; record: ApiKeyRecord } | undefined>;
  /**
   * Stores a key the operator chose (a bootstrap secret), hashed, once: importing the same key
   * again (another pod, a restart) returns the record stored first, revoked or not.
   */
  importKey(key: string, input: NewKeyInput): Promise<{ record: ApiKeyRecord; created: boolean }>;
  /** The record of a live key, undefined when unknown, revoked or expired. */
  verify(key: string): Promise<ApiKeyRecord | undefined>;
  list(tenant?: string): Promise<ApiKeyRecord[]>;
  /** Undefined when no key has this id. */
  get(id: string): Promise<ApiKeyRecord | undefined>;
  revoke(id: string): Promise<boolean>;
  count(): Promise<number>;
}

/** One admin action: who did what to what, and when. */
export interface AuditEntry {
  at: number;
  /** The admin key's id and tenant. */
  actor: { keyId: string; tenant: string };
  /** A dotted verb: `key.create`, `key.revoke`, `experiment.stop`, `config.reload`… */
  action: string;
  /** What was acted on: a key id, an experiment name, a tenant. */
  target: string;
  /** The request's fields that matter (never a plain key). */
  details?: Record<string, unknown>;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /** The newest entries first, at most `limit` (default 50, at most 500). */
  list(options?: { limit?: number }): Promise<AuditEntry[]>;
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

/** A stored embedding: the vector of the text whose hash is `key`, under one embedding model. */
export interface EmbeddingEntry {
  /** A hash of the text (the store never sees the text itself). */
  key: string;
  vector: readonly number[];
}

/**
 * Vectors computed once and kept: the intent cascade's example vectors, so a restart or another pod
 * embeds nothing. Vectors are kept as float32 (what embedding APIs return); they do not expire.
 */
export interface EmbeddingCache {
  /** The vector stored for each key under `model`, undefined where none is, in the order of `keys`. */
  get(model: string, keys: readonly string[]): Promise<(number[] | undefined)[]>;
  /** Stores (or replaces) each entry under `model`. */
  put(model: string, entries: readonly EmbeddingEntry[]): Promise<void>;
}

/** One backend holding all of it; built once per process. */
export interface Store {
  readonly kind: string;
  readonly sessions: SessionStore;
  readonly keys: KeyStore;
  readonly usage: UsageLedger;
  readonly experiments: ExperimentStore;
  readonly embeddings: EmbeddingCache;
  readonly audit: AuditLog;
  close(): Promise<void>;
}
