/** Sessions in a Map: the reference SessionStore for tests, with the same conditions and idempotency as the real ones. */

import { SwitchboardError } from '../../errors.js';
import { SessionLeaseTable } from '../session-lease-table.js';
import type { AcquireLeaseOutcome, AppendTurnOptions, AppendTurnOutcome, CreateSessionInput, Session, SessionLease, SessionStore, SessionSummary, StoredMessage, TurnRecord } from '../store-types.js';
import {
  checkCreateSessionInput,
  checkExpectedVersion,
  checkListOptions,
  checkTenant,
  checkTurnRecord,
  copyStoredMessage,
  encodeSessionCursor,
  isBeforeCursor,
} from '../store-input.js';

interface StoredTurnResult {
  version: number;
  /** JSON text, as a durable store would hold it, so a caller's later mutation cannot leak in. */
  resultJson: string | undefined;
  requestHash?: string;
}

interface SessionEntry {
  summary: Omit<Session, 'messages'>;
  messages: StoredMessage[];
  ttlSeconds: number;
  expiresAt: number;
  turnsByKey: Map<string, StoredTurnResult>;
}

function parseResult(resultJson: string | undefined): unknown {
  return resultJson === undefined ? undefined : JSON.parse(resultJson);
}

function copySummary(summary: Omit<Session, 'messages'>): Omit<Session, 'messages'> {
  return { ...summary, metadata: { ...summary.metadata } };
}

export class MemorySessionStore implements SessionStore {
  private readonly entries = new Map<string, SessionEntry>();
  private readonly leases: SessionLeaseTable;

  constructor(
    private readonly now: () => number,
    private readonly defaultTtlSeconds: number,
  ) {
    this.leases = new SessionLeaseTable(now);
  }

  async acquireLease(tenant: string, id: string, lease: SessionLease, ttlMs: number): Promise<AcquireLeaseOutcome> {
    return this.leases.acquire(tenant, id, lease, ttlMs);
  }

  async releaseLease(_tenant: string, id: string, holder: string): Promise<void> {
    this.leases.release(id, holder);
  }

  /** The live entry of the tenant's session; expired ones are dropped on sight. */
  private liveEntry(tenant: string, id: string): SessionEntry | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined || entry.summary.tenant !== tenant) return undefined;
    if (entry.expiresAt < this.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry;
  }

  async create(input: CreateSessionInput): Promise<Session> {
    const { id, tenant, metadata, ttlSeconds } = checkCreateSessionInput(input, this.defaultTtlSeconds);
    const now = this.now();
    const existing = this.entries.get(id);
    if (existing !== undefined && existing.expiresAt >= now) {
      throw new SwitchboardError('invalid_request', `session id ${JSON.stringify(id)} is already taken`, { param: 'id' });
    }
    const summary = { id, tenant, version: 0, createdAt: now, updatedAt: now, metadata };
    this.entries.set(id, { summary, messages: [], ttlSeconds, expiresAt: now + ttlSeconds * 1000, turnsByKey: new Map() });
    return { ...copySummary(summary), messages: [] };
  }

  async get(tenant: string, id: string): Promise<Session | undefined> {
    const entry = this.liveEntry(tenant, id);
    if (entry === undefined) return undefined;
    return { ...copySummary(entry.summary), messages: entry.messages.map(copyStoredMessage) };
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    if (this.liveEntry(tenant, id) === undefined) return false;
    return this.entries.delete(id);
  }

  appendTurn(tenant: string, id: string, expectedVersion: number, turn: TurnRecord): Promise<AppendTurnOutcome>;
  appendTurn(tenant: string, id: string, expectedVersion: number, turn: TurnRecord, options: AppendTurnOptions): Promise<AppendTurnOutcome<SessionSummary>>;
  async appendTurn(tenant: string, id: string, expectedVersion: number, turn: TurnRecord, options?: AppendTurnOptions): Promise<AppendTurnOutcome<Session | SessionSummary>> {
    checkExpectedVersion(expectedVersion);
    checkTurnRecord(turn);
    const entry = this.liveEntry(tenant, id);
    if (entry === undefined) return { kind: 'not_found' };
    if (turn.idempotencyKey !== undefined) {
      const earlier = entry.turnsByKey.get(turn.idempotencyKey);
      if (earlier !== undefined) return duplicateOutcome(earlier);
    }
    if (entry.summary.version !== expectedVersion) return { kind: 'conflict', currentVersion: entry.summary.version };

    // Everything below is synchronous, so no other call can observe a half-written turn.
    const now = this.now();
    const version = expectedVersion + 1;
    for (const message of turn.messages) entry.messages.push(copyStoredMessage(message));
    if (turn.idempotencyKey !== undefined) {
      const stored: StoredTurnResult = { version, resultJson: JSON.stringify(turn.result) as string | undefined };
      if (turn.requestHash !== undefined) stored.requestHash = turn.requestHash;
      entry.turnsByKey.set(turn.idempotencyKey, stored);
    }
    entry.summary.version = version;
    entry.summary.updatedAt = now;
    entry.summary.lastAgent = turn.agent;
    entry.expiresAt = now + entry.ttlSeconds * 1000;
    if (options?.history === false) return { kind: 'committed', session: copySummary(entry.summary) };
    return { kind: 'committed', session: { ...copySummary(entry.summary), messages: entry.messages.map(copyStoredMessage) } };
  }

  async findTurn(tenant: string, id: string, idempotencyKey: string): Promise<{ result: unknown; requestHash?: string } | undefined> {
    const earlier = this.liveEntry(tenant, id)?.turnsByKey.get(idempotencyKey);
    if (earlier === undefined) return undefined;
    const { result, requestHash } = duplicateOutcome(earlier);
    return requestHash === undefined ? { result } : { result, requestHash };
  }

  async list(tenant: string, options?: { limit?: number; cursor?: string }): Promise<{ sessions: Omit<Session, 'messages'>[]; nextCursor?: string }> {
    checkTenant(tenant);
    const { limit, cursor } = checkListOptions(options);
    const now = this.now();
    const matching: Omit<Session, 'messages'>[] = [];
    for (const entry of this.entries.values()) {
      if (entry.summary.tenant !== tenant || entry.expiresAt < now) continue;
      if (cursor !== undefined && !isBeforeCursor(entry.summary, cursor)) continue;
      matching.push(entry.summary);
    }
    matching.sort((left, right) => right.updatedAt - left.updatedAt || (left.id < right.id ? 1 : left.id > right.id ? -1 : 0));
    const sessions = matching.slice(0, limit).map(copySummary);
    const last = sessions[sessions.length - 1];
    return matching.length > limit && last !== undefined ? { sessions, nextCursor: encodeSessionCursor(last) } : { sessions };
  }
}

function duplicateOutcome(earlier: StoredTurnResult): { kind: 'duplicate'; result: unknown; requestHash?: string } {
  const outcome: { kind: 'duplicate'; result: unknown; requestHash?: string } = { kind: 'duplicate', result: parseResult(earlier.resultJson) };
  if (earlier.requestHash !== undefined) outcome.requestHash = earlier.requestHash;
  return outcome;
}
