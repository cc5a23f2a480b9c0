/**
 * Sessions in Redis: a hash for the head, a list for the messages and a hash of idempotent turn
 * results, each turn one Lua script that checks the version and the key and writes everything at once.
 */

import type { Redis } from 'ioredis';
import { SwitchboardError } from '../../errors.js';
import type { AcquireLeaseOutcome, AppendTurnOptions, AppendTurnOutcome, CreateSessionInput, Session, SessionLease, SessionStore, SessionSummary, StoredMessage, TurnRecord } from '../store-types.js';
import { RedisSessionLeases } from './redis-session-lease.js';
import {
  checkCreateSessionInput,
  checkExpectedVersion,
  checkListOptions,
  checkTenant,
  checkTurnRecord,
  copyStoredMessage,
  encodeSessionCursor,
} from '../store-input.js';
import { padMillis, type RedisKeyNames } from './redis-key-names.js';
import { RedisScript } from './redis-script.js';


/**
 * Logical expiry (`expiresAt`, on the store's clock) decides what is live; PEXPIRE on every key
 * of the session only reclaims the memory, a TTL later in Redis' own time.
 * KEYS: head, messages, turns, tenant index. ARGV: id, tenant, now, ttlMs, metadata JSON, index member.
 */
const createScript = new RedisScript(`
local expiresAt = redis.call('HGET', KEYS[1], 'expiresAt')
if expiresAt and tonumber(expiresAt) >= tonumber(ARGV[3]) then return 0 end
-- An expired session may still hold the id until Redis evicts it: reclaim it whole.
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
local ttl = tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'tenant', ARGV[2], 'version', 0, 'createdAt', ARGV[3], 'updatedAt', ARGV[3],
  'ttlMs', ARGV[4], 'expiresAt', tonumber(ARGV[3]) + ttl, 'metadata', ARGV[5], 'indexMember', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[4], 0, ARGV[6])
if redis.call('PTTL', KEYS[4]) < ttl then redis.call('PEXPIRE', KEYS[4], ttl) end
return 1
`);

/**
 * The whole turn or nothing: Redis runs a script without interleaving any other command.
 * KEYS: head, messages, turns, tenant index.
 * ARGV: tenant, expected version, now, agent, idempotency key ('' for none), stored turn JSON, index member,
 * '1' to send the history back ('0': the head only), message JSON...
 */
const appendTurnScript = new RedisScript(`
local head = redis.call('HMGET', KEYS[1], 'tenant', 'version', 'expiresAt', 'ttlMs', 'indexMember')
if not head[1] or head[1] ~= ARGV[1] or tonumber(head[3]) < tonumber(ARGV[3]) then return {'not_found'} end
if ARGV[5] ~= '' then
  local earlier = redis.call('HGET', KEYS[3], ARGV[5])
  if earlier then return {'duplicate', earlier} end
end
local version = tonumber(head[2])
if version ~= tonumber(ARGV[2]) then return {'conflict', tostring(version)} end
for index = 9, #ARGV do redis.call('RPUSH', KEYS[2], ARGV[index]) end
local ttl = tonumber(head[4])
redis.call('HSET', KEYS[1], 'version', version + 1, 'updatedAt', ARGV[3], 'lastAgent', ARGV[4],
  'expiresAt', tonumber(ARGV[3]) + ttl, 'indexMember', ARGV[7])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[3], ARGV[5], ARGV[6]) end
redis.call('ZREM', KEYS[4], head[5])
redis.call('ZADD', KEYS[4], 0, ARGV[7])
for index = 1, 3 do
  if redis.call('EXISTS', KEYS[index]) == 1 then redis.call('PEXPIRE', KEYS[index], ttl) end
end
if redis.call('PTTL', KEYS[4]) < ttl then redis.call('PEXPIRE', KEYS[4], ttl) end
-- The history as of this commit, not as of a later read that other turns may have moved on; a caller that
-- has it already (the turn pipeline) is spared reading, sending and decoding the whole list on every turn.
if ARGV[8] == '0' then return {'committed', redis.call('HGETALL', KEYS[1])} end
return {'committed', redis.call('HGETALL', KEYS[1]), redis.call('LRANGE', KEYS[2], 0, -1)}
`);

/** KEYS: head, messages. ARGV: tenant, now. Returns the head as a flat field list and the messages, or nil. */
const getScript = new RedisScript(`
local tenant = redis.call('HGET', KEYS[1], 'tenant')
if not tenant or tenant ~= ARGV[1] then return nil end
if tonumber(redis.call('HGET', KEYS[1], 'expiresAt')) < tonumber(ARGV[2]) then return nil end
return {redis.call('HGETALL', KEYS[1]), redis.call('LRANGE', KEYS[2], 0, -1)}
`);

/** KEYS: head, messages, turns, tenant index. ARGV: tenant, now. 1 when a live session was deleted. */
const deleteScript = new RedisScript(`
local head = redis.call('HMGET', KEYS[1], 'tenant', 'expiresAt', 'indexMember')
if not head[1] or head[1] ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('ZREM', KEYS[4], head[3])
if tonumber(head[2]) < tonumber(ARGV[2]) then return 0 end
return 1
`);

/** KEYS: head, turns. ARGV: tenant, now, idempotency key. */
const findTurnScript = new RedisScript(`
local head = redis.call('HMGET', KEYS[1], 'tenant', 'expiresAt')
if not head[1] or head[1] ~= ARGV[1] or tonumber(head[2]) < tonumber(ARGV[2]) then return nil end
return redis.call('HGET', KEYS[2], ARGV[3])
`);

interface StoredTurn {
  /** The result as JSON text; absent when the turn stored none. */
  result?: string;
  requestHash?: string;
}

function decodeTurn(text: string): { result: unknown; requestHash?: string } {
  const stored = JSON.parse(text) as StoredTurn;
  const found: { result: unknown; requestHash?: string } = { result: stored.result === undefined ? undefined : JSON.parse(stored.result) };
  if (stored.requestHash !== undefined) found.requestHash = stored.requestHash;
  return found;
}

function toSummary(id: string, fields: Record<string, string>): SessionSummary {
  const summary: SessionSummary = {
    id,
    tenant: fields.tenant!,
    version: Number(fields.version),
    createdAt: Number(fields.createdAt),
    updatedAt: Number(fields.updatedAt),
    metadata: JSON.parse(fields.metadata ?? '{}') as Record<string, string>,
  };
  if (fields.lastAgent !== undefined) summary.lastAgent = fields.lastAgent;
  return summary;
}

function pairsToRecord(flat: string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let index = 0; index + 1 < flat.length; index += 2) record[flat[index]!] = flat[index + 1]!;
  return record;
}

/** Lists scan the tenant index in batches of this many members, checking each against its head. */
const listBatch = 64;

export class RedisSessionStore implements SessionStore {
  private readonly leases: RedisSessionLeases;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeyNames,
    private readonly now: () => number,
    private readonly defaultTtlSeconds: number,
  ) {
    this.leases = new RedisSessionLeases(redis, keys, now);
  }

  acquireLease(tenant: string, id: string, lease: SessionLease, ttlMs: number): Promise<AcquireLeaseOutcome> {
    return this.leases.acquire(tenant, id, lease, ttlMs);
  }

  releaseLease(_tenant: string, id: string, holder: string): Promise<void> {
    return this.leases.release(id, holder);
  }

  #sessionKeys(id: string, tenant: string): string[] {
    return [this.keys.session(id), this.keys.sessionMessages(id), this.keys.sessionTurns(id), this.keys.tenantSessions(tenant)];
  }

  async create(input: CreateSessionInput): Promise<Session> {
    const { id, tenant, metadata, ttlSeconds } = checkCreateSessionInput(input, this.defaultTtlSeconds);
    const now = this.now();
    const ttlMs = Math.max(1, Math.ceil(ttlSeconds * 1000));
    const created = await createScript.run(this.redis, this.#sessionKeys(id, tenant), [id, tenant, now, ttlMs, JSON.stringify(metadata), `${padMillis(now)}#${id}`]);
    if (created !== 1) throw new SwitchboardError('invalid_request', `session id ${JSON.stringify(id)} is already taken`, { param: 'id' });
    return { id, tenant, version: 0, createdAt: now, updatedAt: now, metadata, messages: [] };
  }

  async get(tenant: string, id: string): Promise<Session | undefined> {
    const found = (await getScript.run(this.redis, [this.keys.session(id), this.keys.sessionMessages(id)], [tenant, this.now()])) as [string[], string[]] | null;
    if (found === null) return undefined;
    const [head, messages] = found;
    return { ...toSummary(id, pairsToRecord(head)), messages: messages.map((text) => JSON.parse(text) as StoredMessage) };
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    return (await deleteScript.run(this.redis, this.#sessionKeys(id, tenant), [tenant, this.now()])) === 1;
  }

  appendTurn(tenant: string, id: string, expectedVersion: number, turn: TurnRecord): Promise<AppendTurnOutcome>;
  appendTurn(tenant: string, id: string, expectedVersion: number, turn: TurnRecord, options: AppendTurnOptions): Promise<AppendTurnOutcome<SessionSummary>>;
  async appendTurn(tenant: string, id: string, expectedVersion: number, turn: TurnRecord, options?: AppendTurnOptions): Promise<AppendTurnOutcome<Session | SessionSummary>> {
    checkExpectedVersion(expectedVersion);
    checkTurnRecord(turn);
    const now = this.now();
    const stored: StoredTurn = {};
    const resultJson = JSON.stringify(turn.result) as string | undefined;
    if (resultJson !== undefined) stored.result = resultJson;
    if (turn.requestHash !== undefined) stored.requestHash = turn.requestHash;
    const args: (string | number)[] = [tenant, expectedVersion, now, turn.agent, turn.idempotencyKey ?? '', JSON.stringify(stored), `${padMillis(now)}#${id}`, options?.history === false ? '0' : '1'];
    for (const message of turn.messages) args.push(JSON.stringify(copyStoredMessage(message)));
    const [kind, detail, messages] = (await appendTurnScript.run(this.redis, this.#sessionKeys(id, tenant), args)) as [string, string | string[] | undefined, string[] | undefined];
    switch (kind) {
      case 'not_found':
        return { kind: 'not_found' };
      case 'duplicate':
        return { kind: 'duplicate', ...decodeTurn(detail as string) };
      case 'conflict':
        return { kind: 'conflict', currentVersion: Number(detail) };
      case 'committed':
        if (options?.history === false) return { kind: 'committed', session: toSummary(id, pairsToRecord(detail as string[])) };
        return { kind: 'committed', session: { ...toSummary(id, pairsToRecord(detail as string[])), messages: (messages ?? []).map((text) => JSON.parse(text) as StoredMessage) } };
      default:
        throw new Error(`redis appendTurn script answered ${JSON.stringify(kind)}`);
    }
  }

  async findTurn(tenant: string, id: string, idempotencyKey: string): Promise<{ result: unknown; requestHash?: string } | undefined> {
    const text = (await findTurnScript.run(this.redis, [this.keys.session(id), this.keys.sessionTurns(id)], [tenant, this.now(), idempotencyKey])) as string | null;
    return text === null ? undefined : decodeTurn(text);
  }

  async list(tenant: string, options?: { limit?: number; cursor?: string }): Promise<{ sessions: SessionSummary[]; nextCursor?: string }> {
    checkTenant(tenant);
    const { limit, cursor } = checkListOptions(options);
    const indexKey = this.keys.tenantSessions(tenant);
    const now = this.now();
    const sessions: SessionSummary[] = [];
    let start = cursor === undefined ? '+' : `(${padMillis(cursor.updatedAt)}#${cursor.id}`;
    // One more than the page, to know whether a next page exists.
    while (sessions.length <= limit) {
      const members = await this.redis.zrevrangebylex(indexKey, start, '-', 'LIMIT', 0, listBatch);
      if (members.length === 0) break;
      const pipeline = this.redis.pipeline();
      for (const member of members) pipeline.hgetall(this.keys.session(member.slice(member.indexOf('#') + 1)));
      const heads = (await pipeline.exec()) ?? [];
      const stale: string[] = [];
      members.forEach((member, index) => {
        const [error, fields] = heads[index] as [Error | null, Record<string, string>];
        if (error) throw error;
        // A member whose head is gone, moved on (a later turn re-indexed it) or belongs to a recreated session is stale.
        if (fields.indexMember !== member || fields.tenant !== tenant) {
          stale.push(member);
          return;
        }
        if (Number(fields.expiresAt) < now || sessions.length > limit) return;
        sessions.push(toSummary(member.slice(member.indexOf('#') + 1), fields));
      });
      if (stale.length > 0) await this.redis.zrem(indexKey, ...stale);
      start = `(${members[members.length - 1]!}`;
      if (members.length < listBatch) break;
    }
    const page = sessions.slice(0, limit);
    const last = page[page.length - 1];
    return sessions.length > limit && last !== undefined ? { sessions: page, nextCursor: encodeSessionCursor(last) } : { sessions: page };
  }
}
