/**
 * Sessions in SQLite: one row per session and per message. Each turn is conditioned on the
 * version inside its own savepoint; turns and leases written in one tick share the file's
 * per-tick IMMEDIATE transaction (SqliteWriteBatch), so a spike pays one WAL commit per tick.
 */

import type Database from 'better-sqlite3';
import { SwitchboardError } from '../../errors.js';
import type { AcquireLeaseOutcome, AppendTurnOptions, AppendTurnOutcome, CreateSessionInput, Session, SessionLease, SessionStore, SessionSummary, StoredMessage, TurnRecord } from '../store-types.js';
import { SqliteSessionLeases } from './sqlite-session-lease.js';
import type { SqliteWriteBatch } from './sqlite-write-batch.js';
import {
  checkCreateSessionInput,
  checkExpectedVersion,
  checkListOptions,
  checkReleaseLease,
  checkTenant,
  checkTurnRecord,
  encodeSessionCursor,
  type NormalizedSessionInput,
} from '../store-input.js';

interface SessionRow {
  id: string;
  tenant: string;
  version: number;
  created_at: number;
  updated_at: number;
  expires_at: number;
  ttl_seconds: number;
  last_agent: string | null;
  metadata: string;
  /** The next message's seq. */
  message_count: number;
}

/** role, content, name, tool_call_id, tool_calls, at: read as arrays, which skips building a keyed object per row. */
type MessageRow = [StoredMessage['role'], string, string | null, string | null, string | null, number];

/** The session's columns, then one message's (all null for a session without messages): a session and its history in one statement. */
type SessionWithMessageRow = [string, string, number, number, number, number, number, string | null, string, StoredMessage['role'] | null, string | null, string | null, string | null, string | null, number | null];

interface TurnResultRow {
  result: string | null;
  request_hash: string | null;
}

/** Every how many creates a few expired sessions are swept, so the file stays bounded without a timer. */
const sweepEveryCreates = 64;
const sweepBatch = 64;

const sessionColumns = 'id, tenant, version, created_at, updated_at, expires_at, ttl_seconds, last_agent, metadata, message_count';

function toSummary(row: Omit<SessionRow, 'message_count'>): SessionSummary {
  const summary: SessionSummary = {
    id: row.id,
    tenant: row.tenant,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
  };
  if (row.last_agent !== null) summary.lastAgent = row.last_agent;
  return summary;
}

function sessionRowOf(row: SessionWithMessageRow): Omit<SessionRow, 'message_count'> {
  return { id: row[0], tenant: row[1], version: row[2], created_at: row[3], updated_at: row[4], expires_at: row[5], ttl_seconds: row[6], last_agent: row[7], metadata: row[8] };
}

/** The message whose six columns start at `offset` of a raw row. */
function messageFrom(row: readonly unknown[], offset: number): StoredMessage {
  const message: StoredMessage = { role: row[offset] as StoredMessage['role'], content: row[offset + 1] as string, at: row[offset + 5] as number };
  const name = row[offset + 2] as string | null;
  const toolCallId = row[offset + 3] as string | null;
  const toolCalls = row[offset + 4] as string | null;
  if (name !== null) message.name = name;
  if (toolCallId !== null) message.toolCallId = toolCallId;
  if (toolCalls !== null) message.toolCalls = JSON.parse(toolCalls) as StoredMessage['toolCalls'];
  return message;
}

function toMessage(row: MessageRow): StoredMessage {
  return messageFrom(row, 0);
}

function toTurnResult(row: TurnResultRow): { result: unknown; requestHash?: string } {
  const found: { result: unknown; requestHash?: string } = { result: row.result === null ? undefined : JSON.parse(row.result) };
  if (row.request_hash !== null) found.requestHash = row.request_hash;
  return found;
}

export class SqliteSessionStore implements SessionStore {
  private readonly insertSession: Database.Statement<[string, string, number, number, number, number, string]>;
  private readonly selectExpiresAt: Database.Statement<[string], number>;
  private readonly selectSession: Database.Statement<[string, string], SessionRow>;
  private readonly selectMessages: Database.Statement<[string], MessageRow>;
  private readonly selectSessionWithMessages: Database.Statement<[string, string], SessionWithMessageRow>;
  private readonly selectTurnByKey: Database.Statement<[string, string], TurnResultRow>;
  private readonly selectNextSeq: Database.Statement<[string], number>;
  private readonly insertMessage: Database.Statement<[string, number, number, string, string, string | null, string | null, string | null, number]>;
  private readonly insertTurn: Database.Statement<[string, string, number, string | null, string | null, number]>;
  private readonly updateAfterTurn: Database.Statement<[number, number, string, number, number, string, number]>;
  private readonly listPage: Database.Statement<[string, number, number, number, string, number], SessionRow>;
  private readonly selectExpiredIds: Database.Statement<[number, number], string>;
  private readonly deleteSessionRow: Database.Statement<[string]>;
  private readonly deleteMessages: Database.Statement<[string]>;
  private readonly deleteTurns: Database.Statement<[string]>;

  private readonly createTransaction: (input: NormalizedSessionInput, now: number) => void;
  private readonly appendTransaction: (tenant: string, id: string, expectedVersion: number, turn: TurnRecord, now: number, withHistory: boolean, leaseHolder: string | undefined) => AppendTurnOutcome<Session | SessionSummary>;
  private readonly deleteTransaction: (tenant: string, id: string, now: number) => boolean;
  private createsSinceSweep = 0;

  private readonly leases: SqliteSessionLeases;

  constructor(
    db: Database.Database,
    private readonly now: () => number,
    private readonly defaultTtlSeconds: number,
    private readonly writes: SqliteWriteBatch,
  ) {
    this.leases = new SqliteSessionLeases(db, now);
    this.insertSession = db.prepare(
      'INSERT INTO sessions (id, tenant, version, created_at, updated_at, expires_at, ttl_seconds, metadata) VALUES (?, ?, 0, ?, ?, ?, ?, ?)',
    );
    this.selectExpiresAt = db.prepare<[string], number>('SELECT expires_at FROM sessions WHERE id = ?').pluck();
    this.selectSession = db.prepare(`SELECT ${sessionColumns} FROM sessions WHERE id = ? AND tenant = ?`);
    this.selectMessages = db
      .prepare<[string], MessageRow>('SELECT role, content, name, tool_call_id, tool_calls, at FROM messages WHERE session_id = ? ORDER BY seq')
      .raw();
    // One statement, so the session row and its messages come from one snapshot even while another process writes, without a read transaction's BEGIN and COMMIT.
    this.selectSessionWithMessages = db
      .prepare<[string, string], SessionWithMessageRow>(
        `SELECT s.id, s.tenant, s.version, s.created_at, s.updated_at, s.expires_at, s.ttl_seconds, s.last_agent, s.metadata,
                m.role, m.content, m.name, m.tool_call_id, m.tool_calls, m.at
         FROM sessions s LEFT JOIN messages m ON m.session_id = s.id WHERE s.id = ? AND s.tenant = ? ORDER BY m.seq`,
      )
      .raw();
    this.selectTurnByKey = db.prepare('SELECT result, request_hash FROM turns WHERE session_id = ? AND idempotency_key = ?');
    this.selectNextSeq = db.prepare<[string], number>('SELECT COALESCE(MAX(seq) + 1, 0) FROM messages WHERE session_id = ?').pluck();
    this.insertMessage = db.prepare(
      'INSERT INTO messages (session_id, seq, turn_version, role, content, name, tool_call_id, tool_calls, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertTurn = db.prepare(
      'INSERT INTO turns (session_id, idempotency_key, version, request_hash, result, at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.updateAfterTurn = db.prepare(
      'UPDATE sessions SET version = ?, updated_at = ?, last_agent = ?, expires_at = ?, message_count = ? WHERE id = ? AND version = ?',
    );
    this.listPage = db.prepare(
      `SELECT ${sessionColumns} FROM sessions
       WHERE tenant = ? AND expires_at >= ? AND (updated_at < ? OR (updated_at = ? AND id < ?))
       ORDER BY updated_at DESC, id DESC LIMIT ?`,
    );
    this.selectExpiredIds = db.prepare<[number, number], string>('SELECT id FROM sessions WHERE expires_at < ? LIMIT ?').pluck();
    this.deleteSessionRow = db.prepare('DELETE FROM sessions WHERE id = ?');
    this.deleteMessages = db.prepare('DELETE FROM messages WHERE session_id = ?');
    this.deleteTurns = db.prepare('DELETE FROM turns WHERE session_id = ?');

    const createTransaction = db.transaction((input: NormalizedSessionInput, now: number) => {
      if (++this.createsSinceSweep >= sweepEveryCreates) {
        this.createsSinceSweep = 0;
        this.sweepExpired(now, sweepBatch);
      }
      // An expired session may still hold the id until swept: reclaim it rather than refuse.
      const holderExpiresAt = this.selectExpiresAt.get(input.id);
      if (holderExpiresAt !== undefined) {
        if (holderExpiresAt >= now) {
          throw new SwitchboardError('invalid_request', `session id ${JSON.stringify(input.id)} is already taken`, { param: 'id' });
        }
        this.deleteRows(input.id);
      }
      this.insertSession.run(input.id, input.tenant, now, now, now + input.ttlSeconds * 1000, input.ttlSeconds, JSON.stringify(input.metadata));
    });
    this.createTransaction = createTransaction.immediate;

    // IMMEDIATE takes the write lock before the first read, so the version read here cannot go stale before the write.
    // Runs inside the write batch's IMMEDIATE transaction, which took the write lock before this first read.
    this.appendTransaction = (tenant: string, id: string, expectedVersion: number, turn: TurnRecord, now: number, withHistory: boolean, leaseHolder: string | undefined): AppendTurnOutcome<Session | SessionSummary> => {
        const row = this.selectSession.get(id, tenant);
        if (row === undefined || row.expires_at < now) return { kind: 'not_found' };
        const key = turn.idempotencyKey;
        if (key !== undefined) {
          const earlier = this.selectTurnByKey.get(id, key);
          if (earlier !== undefined) return { kind: 'duplicate', ...toTurnResult(earlier) };
        }
        if (row.version !== expectedVersion) return { kind: 'conflict', currentVersion: row.version };

        const version = expectedVersion + 1;
        let seq = row.message_count;
        for (const message of turn.messages) {
          try {
            this.insertMessageRow(id, seq, version, message);
          } catch (error) {
            // A build from before the count (migration 6) still writing this file does not keep it: take the seq from the rows, once.
            if (seq !== row.message_count || (error as { code?: string }).code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw error;
            seq = this.selectNextSeq.get(id)!;
            this.insertMessageRow(id, seq, version, message);
          }
          seq++;
        }
        if (key !== undefined) {
          // stringify gives undefined for undefined or a function: store those as no result.
          const result = (JSON.stringify(turn.result) as string | undefined) ?? null;
          this.insertTurn.run(id, key, version, turn.requestHash ?? null, result, now);
        }
        const expiresAt = now + row.ttl_seconds * 1000;
        this.updateAfterTurn.run(version, now, turn.agent, expiresAt, seq, id, expectedVersion);
        row.version = version;
        row.updated_at = now;
        row.last_agent = turn.agent;
        const summary = toSummary(row);
        const session = withHistory ? { ...summary, messages: this.selectMessages.all(id).map(toMessage) } : summary;
        if (leaseHolder === undefined) return { kind: 'committed', session };
        // In the commit's savepoint: the session is never left committed with its lease still held, and the turn writes once less.
        this.leases.release(id, leaseHolder);
        return { kind: 'committed', session, leaseReleased: true };
      };

    const deleteTransaction = db.transaction((tenant: string, id: string, now: number): boolean => {
      const row = this.selectSession.get(id, tenant);
      if (row === undefined) return false;
      this.deleteRows(id);
      return row.expires_at >= now;
    });
    this.deleteTransaction = deleteTransaction.immediate;
  }

  private insertMessageRow(id: string, seq: number, version: number, message: StoredMessage): void {
    this.insertMessage.run(
      id,
      seq,
      version,
      message.role,
      message.content,
      message.name ?? null,
      message.toolCallId ?? null,
      message.toolCalls === undefined ? null : JSON.stringify(message.toolCalls),
      message.at,
    );
  }

  private deleteRows(id: string): void {
    this.deleteMessages.run(id);
    this.deleteTurns.run(id);
    this.deleteSessionRow.run(id);
  }

  /** Removes up to `limit` expired sessions; runs inside the caller's transaction. */
  private sweepExpired(now: number, limit: number): void {
    for (const id of this.selectExpiredIds.all(now, limit)) this.deleteRows(id);
  }

  acquireLease(tenant: string, id: string, lease: SessionLease, ttlMs: number): Promise<AcquireLeaseOutcome> {
    let checked: SessionLease & { ttlMs: number };
    try {
      checked = this.leases.check(tenant, lease, ttlMs);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.writes.write(() => this.leases.acquire(id, checked));
  }

  releaseLease(_tenant: string, id: string, holder: string): Promise<void> {
    return this.writes.write(() => this.leases.release(id, holder));
  }

  async create(input: CreateSessionInput): Promise<Session> {
    const normalized = checkCreateSessionInput(input, this.defaultTtlSeconds);
    const now = this.now();
    this.createTransaction(normalized, now);
    return { id: normalized.id, tenant: normalized.tenant, version: 0, createdAt: now, updatedAt: now, metadata: normalized.metadata, messages: [] };
  }

  async get(tenant: string, id: string): Promise<Session | undefined> {
    const rows = this.selectSessionWithMessages.all(id, tenant);
    const first = rows[0];
    if (first === undefined) return undefined;
    const now = this.now();
    if (first[5] < now) {
      this.deleteTransaction(tenant, id, now);
      return undefined;
    }
    const messages: StoredMessage[] = [];
    // A session without messages joins to one row of nulls.
    if (first[9] !== null) for (const row of rows) messages.push(messageFrom(row, 9));
    return { ...toSummary(sessionRowOf(first)), messages };
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    return this.deleteTransaction(tenant, id, this.now());
  }

  appendTurn(tenant: string, id: string, expectedVersion: number, turn: TurnRecord): Promise<AppendTurnOutcome>;
  appendTurn(tenant: string, id: string, expectedVersion: number, turn: TurnRecord, options: AppendTurnOptions): Promise<AppendTurnOutcome<SessionSummary>>;
  appendTurn(tenant: string, id: string, expectedVersion: number, turn: TurnRecord, options?: AppendTurnOptions): Promise<AppendTurnOutcome<Session | SessionSummary>> {
    let leaseHolder: string | undefined;
    try {
      checkExpectedVersion(expectedVersion);
      checkTurnRecord(turn);
      leaseHolder = checkReleaseLease(options?.releaseLease);
    } catch (error) {
      return Promise.reject(error);
    }
    // A savepoint of its own: a turn that throws rolls back alone and the others of the tick still commit.
    const withHistory = options?.history !== false;
    return this.writes.write(() => this.appendTransaction(tenant, id, expectedVersion, turn, this.now(), withHistory, leaseHolder), true);
  }

  async findTurn(tenant: string, id: string, idempotencyKey: string): Promise<{ result: unknown; requestHash?: string } | undefined> {
    const row = this.selectSession.get(id, tenant);
    if (row === undefined || row.expires_at < this.now()) return undefined;
    const earlier = this.selectTurnByKey.get(id, idempotencyKey);
    return earlier === undefined ? undefined : toTurnResult(earlier);
  }

  async list(tenant: string, options?: { limit?: number; cursor?: string }): Promise<{ sessions: SessionSummary[]; nextCursor?: string }> {
    checkTenant(tenant);
    const { limit, cursor } = checkListOptions(options);
    const after = cursor ?? { updatedAt: Number.MAX_SAFE_INTEGER, id: '' };
    const rows = this.listPage.all(tenant, this.now(), after.updatedAt, after.updatedAt, after.id, limit + 1);
    const sessions = rows.slice(0, limit).map(toSummary);
    const last = sessions[sessions.length - 1];
    return rows.length > limit && last !== undefined ? { sessions, nextCursor: encodeSessionCursor(last) } : { sessions };
  }
}
