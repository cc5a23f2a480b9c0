/** The contract every Store backend passes: sessions, keys, usage and experiments, run by each backend's own test file. */

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { hashApiKey } from '../../src/stores/api-key-hash.js';
import type { AppendTurnOutcome, Session, Store, TurnRecord, UsageEntry, UsageSummaryRow } from '../../src/stores/store-types.js';
import { runEmbeddingCacheContract } from './embedding-cache-contract.js';
import { runAdminStoreContract } from './admin-store-contract.js';
import { runExperimentStoreContract } from './experiment-store-contract.js';
import { rejectsAsInvalid } from './store-assertions.js';

export interface StoreUnderTest {
  store: Store;
  cleanup: () => Promise<void>;
  /** Everything the backend has persisted, as bytes or text, to prove secrets never reach it. */
  rawStorage: () => Promise<Uint8Array | string>;
  /** Opens another Store on the same data, as a second pod would; the memory store returns itself. */
  openPeer: () => Promise<Store>;
}

/** What the suite hands a backend: the clock the store must read time from. */
export interface StoreContractContext {
  now: () => number;
}

class ManualClock {
  current = Date.UTC(2025, 0, 1);
  readonly now = (): number => this.current;
  advance(milliseconds: number): void {
    this.current += milliseconds;
  }
}

function turnOf(label: string, at: number, extra: Partial<TurnRecord> = {}): TurnRecord {
  return {
    messages: [
      { role: 'user', content: `u-${label}`, at },
      { role: 'assistant', content: `a-${label}`, at },
    ],
    agent: 'support',
    ...extra,
  };
}

function committed(outcome: AppendTurnOutcome): Session {
  assert.equal(outcome.kind, 'committed', `expected a commit, got ${JSON.stringify(outcome)}`);
  return (outcome as { session: Session }).session;
}

/** Asserts the history is whole turns back to back and returns each turn's label in order. */
function turnLabels(session: Session): string[] {
  assert.equal(session.messages.length % 2, 0, 'a turn was split');
  const labels: string[] = [];
  for (let index = 0; index < session.messages.length; index += 2) {
    const user = session.messages[index]!;
    const assistant = session.messages[index + 1]!;
    assert.equal(user.role, 'user');
    assert.equal(assistant.role, 'assistant');
    const label = user.content.slice(2);
    assert.equal(assistant.content, `a-${label}`, `turn ${label} is interleaved with another`);
    labels.push(label);
  }
  return labels;
}

export function runStoreContract(name: string, open: (context: StoreContractContext) => Promise<StoreUnderTest>): void {
  describe(`${name} store contract`, () => {
    let clock: ManualClock;
    let subject: StoreUnderTest;
    let store: Store;

    beforeEach(async () => {
      clock = new ManualClock();
      subject = await open({ now: clock.now });
      store = subject.store;
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    describe('sessions', () => {
      it('creates a session at version 0 and gets it back', async () => {
        const created = await store.sessions.create({ tenant: 'acme', metadata: { channel: 'web' } });
        assert.equal(typeof created.id, 'string');
        assert.ok(created.id.length > 0);
        assert.deepEqual(created, {
          id: created.id,
          tenant: 'acme',
          version: 0,
          createdAt: clock.current,
          updatedAt: clock.current,
          metadata: { channel: 'web' },
          messages: [],
        });
        assert.deepEqual(await store.sessions.get('acme', created.id), created);
        const named = await store.sessions.create({ tenant: 'acme', id: 'chosen-id' });
        assert.equal(named.id, 'chosen-id');
        assert.notEqual(named.id, created.id);
        assert.equal(await store.sessions.get('acme', 'no-such-session'), undefined);
      });

      it('refuses a taken id and malformed input with invalid_request', async () => {
        await store.sessions.create({ tenant: 'acme', id: 'taken' });
        await rejectsAsInvalid(store.sessions.create({ tenant: 'acme', id: 'taken' }), 'id');
        await rejectsAsInvalid(store.sessions.create({ tenant: 'other', id: 'taken' }), 'id');
        await rejectsAsInvalid(store.sessions.create({ tenant: '' }), 'tenant');
        await rejectsAsInvalid(store.sessions.create({ tenant: 'acme', id: 'has space' }), 'id');
        await rejectsAsInvalid(store.sessions.create({ tenant: 'acme', ttlSeconds: -1 }), 'ttlSeconds');
        await rejectsAsInvalid(store.sessions.create({ tenant: 'acme', metadata: { n: 1 as unknown as string } }));
        const session = await store.sessions.create({ tenant: 'acme' });
        await rejectsAsInvalid(store.sessions.appendTurn('acme', session.id, -1, turnOf('x', clock.current)), 'expectedVersion');
        await rejectsAsInvalid(store.sessions.appendTurn('acme', session.id, 0, { messages: [], agent: 'support' }), 'messages');
        await rejectsAsInvalid(
          store.sessions.appendTurn('acme', session.id, 0, { messages: [{ role: 'robot' as 'user', content: 'x', at: 1 }], agent: 'support' }),
        );
        assert.equal((await store.sessions.get('acme', session.id))?.version, 0);
      });

      it("keeps tenants apart: another tenant cannot see, change or delete a session", async () => {
        const session = await store.sessions.create({ tenant: 'acme' });
        committed(await store.sessions.appendTurn('acme', session.id, 0, turnOf('1', clock.current, { idempotencyKey: 'k1', result: { ok: 1 } })));
        assert.equal(await store.sessions.get('globex', session.id), undefined);
        assert.equal(await store.sessions.delete('globex', session.id), false);
        assert.deepEqual(await store.sessions.appendTurn('globex', session.id, 1, turnOf('2', clock.current)), { kind: 'not_found' });
        assert.equal(await store.sessions.findTurn('globex', session.id, 'k1'), undefined);
        assert.deepEqual((await store.sessions.list('globex')).sessions, []);
        const own = await store.sessions.get('acme', session.id);
        assert.equal(own?.version, 1);
        assert.deepEqual(turnLabels(own!), ['1']);
      });

      it('deletes a session with its messages and turns', async () => {
        const session = await store.sessions.create({ tenant: 'acme', id: 'doomed' });
        committed(await store.sessions.appendTurn('acme', 'doomed', 0, turnOf('1', clock.current, { idempotencyKey: 'k1', result: 'r1' })));
        assert.equal(await store.sessions.delete('acme', session.id), true);
        assert.equal(await store.sessions.get('acme', session.id), undefined);
        assert.equal(await store.sessions.delete('acme', session.id), false);
        assert.deepEqual(await store.sessions.appendTurn('acme', session.id, 1, turnOf('2', clock.current)), { kind: 'not_found' });
        assert.equal(await store.sessions.findTurn('acme', session.id, 'k1'), undefined);
        // The same id made again starts empty: no message or idempotency key of the old one survives.
        const again = await store.sessions.create({ tenant: 'acme', id: 'doomed' });
        assert.deepEqual(again.messages, []);
        assert.equal(await store.sessions.findTurn('acme', 'doomed', 'k1'), undefined);
        const reused = committed(await store.sessions.appendTurn('acme', 'doomed', 0, turnOf('fresh', clock.current, { idempotencyKey: 'k1' })));
        assert.deepEqual(turnLabels(reused), ['fresh']);
      });

      it('appends turns in order, each adding one to the version', async () => {
        const session = await store.sessions.create({ tenant: 'acme' });
        clock.advance(1000);
        const first = committed(await store.sessions.appendTurn('acme', session.id, 0, turnOf('1', clock.current)));
        assert.equal(first.version, 1);
        assert.equal(first.updatedAt, clock.current);
        assert.equal(first.createdAt, session.createdAt);
        assert.equal(first.lastAgent, 'support');
        clock.advance(1000);
        const toolTurn: TurnRecord = {
          agent: 'orders',
          messages: [
            { role: 'user', content: 'where is order 7?', at: clock.current },
            {
              role: 'assistant',
              content: '',
              at: clock.current + 1,
              toolCalls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{"id":7}' } }],
            },
            { role: 'tool', content: '{"status":"shipped"}', toolCallId: 'call_1', name: 'lookup_order', at: clock.current + 2 },
            { role: 'assistant', content: 'It shipped.', at: clock.current + 3 },
          ],
        };
        const second = committed(await store.sessions.appendTurn('acme', session.id, 1, toolTurn));
        assert.equal(second.version, 2);
        assert.equal(second.lastAgent, 'orders');
        assert.deepEqual(second.messages, [...first.messages, ...toolTurn.messages]);
        const loaded = await store.sessions.get('acme', session.id);
        assert.deepEqual(loaded, second);
      });

      it('answers a commit asked for no history with the session summary alone, and stores the same turn', async () => {
        const session = await store.sessions.create({ tenant: 'acme', metadata: { plan: 'pro' } });
        committed(await store.sessions.appendTurn('acme', session.id, 0, turnOf('1', clock.current)));
        clock.advance(1000);
        const outcome = await store.sessions.appendTurn('acme', session.id, 1, turnOf('2', clock.current, { idempotencyKey: 'kh', result: 'r2' }), { history: false });
        assert.equal(outcome.kind, 'committed', `expected a commit, got ${JSON.stringify(outcome)}`);
        const summary = (outcome as { session: Record<string, unknown> }).session;
        assert.equal('messages' in summary, false, 'a commit asked for no history returned messages');
        const loaded = await store.sessions.get('acme', session.id);
        assert.ok(loaded);
        const { messages, ...loadedSummary } = loaded;
        assert.deepEqual(summary, loadedSummary);
        assert.equal(loadedSummary.version, 2);
        assert.deepEqual(turnLabels(loaded), ['1', '2']);
        assert.equal(messages.length, 4);
        // The rest of the contract holds for it: the key is kept, the version is the condition.
        assert.deepEqual(await store.sessions.appendTurn('acme', session.id, 2, turnOf('again', clock.current, { idempotencyKey: 'kh' }), { history: false }), { kind: 'duplicate', result: 'r2' });
        assert.deepEqual(await store.sessions.appendTurn('acme', session.id, 1, turnOf('stale', clock.current), { history: false }), { kind: 'conflict', currentVersion: 2 });
      });

      it('refuses a stale or future expectedVersion with conflict and writes nothing', async () => {
        const session = await store.sessions.create({ tenant: 'acme' });
        committed(await store.sessions.appendTurn('acme', session.id, 0, turnOf('1', clock.current)));
        committed(await store.sessions.appendTurn('acme', session.id, 1, turnOf('2', clock.current)));
        const before = await store.sessions.get('acme', session.id);
        clock.advance(5000);
        assert.deepEqual(await store.sessions.appendTurn('acme', session.id, 1, turnOf('stale', clock.current, { idempotencyKey: 'ks' })), {
          kind: 'conflict',
          currentVersion: 2,
        });
        assert.deepEqual(await store.sessions.appendTurn('acme', session.id, 7, turnOf('future', clock.current)), { kind: 'conflict', currentVersion: 2 });
        assert.deepEqual(await store.sessions.get('acme', session.id), before);
        // The refused turn's key was not recorded either.
        assert.equal(await store.sessions.findTurn('acme', session.id, 'ks'), undefined);
        assert.deepEqual(await store.sessions.appendTurn('acme', 'missing', 0, turnOf('x', clock.current)), { kind: 'not_found' });
      });

      it('leases a session to one holder at a time until it is released or expires', async () => {
        const session = await store.sessions.create({ tenant: 'acme' });
        const first = { holder: 'turn-a', idempotencyKey: 'idem-a', requestHash: 'hash-a' };
        assert.deepEqual(await store.sessions.acquireLease('acme', session.id, first, 30_000), { kind: 'acquired' });
        // Another turn is told who holds it, with its key and hash; the holder itself may take it again.
        assert.deepEqual(await store.sessions.acquireLease('acme', session.id, { holder: 'turn-b' }, 30_000), { kind: 'held', lease: first });
        assert.deepEqual(await store.sessions.acquireLease('acme', session.id, first, 30_000), { kind: 'acquired' });
        // Only the holder releases it.
        await store.sessions.releaseLease('acme', session.id, 'turn-b');
        assert.equal((await store.sessions.acquireLease('acme', session.id, { holder: 'turn-b' }, 30_000)).kind, 'held');
        await store.sessions.releaseLease('acme', session.id, 'turn-a');
        assert.deepEqual(await store.sessions.acquireLease('acme', session.id, { holder: 'turn-b' }, 30_000), { kind: 'acquired' });
        // An expired lease is taken over, and its old holder's release does not drop the new one.
        clock.advance(30_000);
        assert.deepEqual(await store.sessions.acquireLease('acme', session.id, { holder: 'turn-c' }, 5_000), { kind: 'acquired' });
        await store.sessions.releaseLease('acme', session.id, 'turn-b');
        assert.deepEqual(await store.sessions.acquireLease('acme', session.id, { holder: 'turn-d' }, 5_000), { kind: 'held', lease: { holder: 'turn-c' } });
        // Leases of different sessions are independent.
        const other = await store.sessions.create({ tenant: 'acme' });
        assert.deepEqual(await store.sessions.acquireLease('acme', other.id, { holder: 'turn-d' }, 5_000), { kind: 'acquired' });
      });

      it('refuses a lease without a holder or with a bad lifetime, naming the field', async () => {
        const session = await store.sessions.create({ tenant: 'acme' });
        await assert.rejects(store.sessions.acquireLease('acme', session.id, { holder: '' }, 1_000), (error: unknown) => (error as { param?: string }).param === 'lease.holder');
        await assert.rejects(store.sessions.acquireLease('acme', session.id, { holder: 'x' }, 0), (error: unknown) => (error as { param?: string }).param === 'ttlMs');
      });

      it('answers a repeated idempotency key with the first result and writes nothing', async () => {
        const session = await store.sessions.create({ tenant: 'acme' });
        const firstResult = { reply: 'hello', usage: { total: 12 } };
        committed(
          await store.sessions.appendTurn('acme', session.id, 0, turnOf('1', clock.current, { idempotencyKey: 'idem-1', requestHash: 'h1', result: firstResult })),
        );
        const before = await store.sessions.get('acme', session.id);
        clock.advance(1000);
        // Same key again: at the current version, and at the stale one a retry would carry.
        for (const expectedVersion of [1, 0]) {
          const outcome = await store.sessions.appendTurn(
            'acme',
            session.id,
            expectedVersion,
            turnOf('retry', clock.current, { idempotencyKey: 'idem-1', requestHash: 'h2', result: { reply: 'other' } }),
          );
          assert.deepEqual(outcome, { kind: 'duplicate', result: firstResult, requestHash: 'h1' });
        }
        assert.deepEqual(await store.sessions.get('acme', session.id), before);
        // Keys are per session: the same key elsewhere is a new turn.
        const other = await store.sessions.create({ tenant: 'acme' });
        committed(await store.sessions.appendTurn('acme', other.id, 0, turnOf('o', clock.current, { idempotencyKey: 'idem-1' })));
      });

      it('lets only one of many concurrent turns with the same key commit', async () => {
        const session = await store.sessions.create({ tenant: 'acme' });
        const outcomes = await Promise.all(
          Array.from({ length: 10 }, (_, index) =>
            store.sessions.appendTurn('acme', session.id, 0, turnOf(String(index), clock.current, { idempotencyKey: 'same', result: { from: index } })),
          ),
        );
        const commits = outcomes.filter((outcome) => outcome.kind === 'committed');
        assert.equal(commits.length, 1);
        const winner = turnLabels((commits[0] as { session: Session }).session)[0];
        for (const outcome of outcomes) {
          if (outcome.kind !== 'committed') assert.deepEqual(outcome, { kind: 'duplicate', result: { from: Number(winner) } });
        }
        assert.equal((await store.sessions.get('acme', session.id))?.version, 1);
      });

      it('finds the stored result of an earlier turn by its key', async () => {
        const session = await store.sessions.create({ tenant: 'acme' });
        committed(await store.sessions.appendTurn('acme', session.id, 0, turnOf('1', clock.current, { idempotencyKey: 'a', requestHash: 'ha', result: [1, 'two'] })));
        committed(await store.sessions.appendTurn('acme', session.id, 1, turnOf('2', clock.current, { idempotencyKey: 'b', result: 'plain' })));
        committed(await store.sessions.appendTurn('acme', session.id, 2, turnOf('3', clock.current)));
        assert.deepEqual(await store.sessions.findTurn('acme', session.id, 'a'), { result: [1, 'two'], requestHash: 'ha' });
        assert.deepEqual(await store.sessions.findTurn('acme', session.id, 'b'), { result: 'plain' });
        assert.equal(await store.sessions.findTurn('acme', session.id, 'c'), undefined);
        assert.equal(await store.sessions.findTurn('acme', 'missing', 'a'), undefined);
      });

      it('commits exactly the racing turns whose expectedVersion matched, without interleaving', async () => {
        const session = await store.sessions.create({ tenant: 'acme' });
        const calls = Array.from({ length: 50 }, (_, index) => ({ label: `r${index}`, expectedVersion: index % 10 }));
        const outcomes = await Promise.all(
          calls.map((call) => store.sessions.appendTurn('acme', session.id, call.expectedVersion, turnOf(call.label, clock.current))),
        );
        const committedLabels = new Set<string>();
        const committedVersions = new Set<number>();
        outcomes.forEach((outcome, index) => {
          const call = calls[index]!;
          if (outcome.kind === 'committed') {
            assert.equal(outcome.session.version, call.expectedVersion + 1, `${call.label} committed at the wrong version`);
            assert.ok(!committedVersions.has(outcome.session.version), `version ${outcome.session.version} committed twice`);
            committedVersions.add(outcome.session.version);
            committedLabels.add(call.label);
          } else {
            assert.equal(outcome.kind, 'conflict');
            assert.notEqual((outcome as { currentVersion: number }).currentVersion, call.expectedVersion);
          }
        });
        const final = await store.sessions.get('acme', session.id);
        assert.ok(final !== undefined);
        assert.equal(final.version, committedVersions.size);
        // Versions 1..n with no gap, each turn's pair side by side, and only committed turns present.
        assert.deepEqual([...committedVersions].sort((a, b) => a - b), Array.from({ length: final.version }, (_, index) => index + 1));
        const labels = turnLabels(final);
        assert.equal(labels.length, final.version);
        assert.deepEqual(new Set(labels), committedLabels);
      });

      it('serialises 50 writers that read, append and retry on conflict', async () => {
        const session = await store.sessions.create({ tenant: 'acme' });
        const writers = 50;
        let conflicts = 0;
        const versionsWon = await Promise.all(
          Array.from({ length: writers }, async (_, index) => {
            for (;;) {
              const current = await store.sessions.get('acme', session.id);
              const outcome = await store.sessions.appendTurn('acme', session.id, current!.version, turnOf(`w${index}`, clock.current));
              if (outcome.kind === 'committed') return outcome.session.version;
              assert.equal(outcome.kind, 'conflict');
              conflicts++;
            }
          }),
        );
        assert.deepEqual([...versionsWon].sort((a, b) => a - b), Array.from({ length: writers }, (_, index) => index + 1));
        assert.ok(conflicts > 0, 'the writers never actually raced');
        const final = await store.sessions.get('acme', session.id);
        assert.equal(final?.version, writers);
        assert.deepEqual(new Set(turnLabels(final!)), new Set(Array.from({ length: writers }, (_, index) => `w${index}`)));
      });

      it('treats a session past its TTL as absent, and each turn extends it', async () => {
        const short = await store.sessions.create({ tenant: 'acme', id: 'short', ttlSeconds: 60 });
        const active = await store.sessions.create({ tenant: 'acme', id: 'active', ttlSeconds: 60, metadata: { keep: 'yes' } });
        committed(await store.sessions.appendTurn('acme', short.id, 0, turnOf('1', clock.current, { idempotencyKey: 'k' })));
        clock.advance(40_000);
        committed(await store.sessions.appendTurn('acme', active.id, 0, turnOf('1', clock.current)));
        clock.advance(20_000);
        // Exactly at the TTL both still live.
        assert.equal((await store.sessions.get('acme', short.id))?.version, 1);
        clock.advance(1);
        assert.equal(await store.sessions.get('acme', short.id), undefined);
        assert.equal(await store.sessions.findTurn('acme', short.id, 'k'), undefined);
        assert.deepEqual(await store.sessions.appendTurn('acme', short.id, 1, turnOf('2', clock.current)), { kind: 'not_found' });
        assert.equal(await store.sessions.delete('acme', short.id), false);
        assert.deepEqual(
          (await store.sessions.list('acme')).sessions.map((listed) => listed.id),
          ['active'],
        );
        assert.equal((await store.sessions.get('acme', active.id))?.version, 1);
        clock.advance(40_000);
        assert.equal(await store.sessions.get('acme', active.id), undefined);
        // An expired id can be taken again, and starts empty.
        const reborn = await store.sessions.create({ tenant: 'acme', id: 'short' });
        assert.equal(reborn.version, 0);
        assert.deepEqual((await store.sessions.get('acme', 'short'))?.messages, []);
      });

      it('lists a tenant\'s sessions newest first across pages with a cursor', async () => {
        const ids: string[] = [];
        for (let index = 0; index < 7; index++) {
          ids.push((await store.sessions.create({ tenant: 'acme', metadata: { n: String(index) } })).id);
          await store.sessions.create({ tenant: 'globex' });
          clock.advance(1000);
        }
        // A turn makes the oldest session the most recently updated.
        committed(await store.sessions.appendTurn('acme', ids[0]!, 0, turnOf('bump', clock.current)));
        const expectedOrder = [ids[0]!, ...ids.slice(1).reverse()];

        const pages: Awaited<ReturnType<Store['sessions']['list']>>[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.sessions.list('acme', cursor === undefined ? { limit: 3 } : { limit: 3, cursor });
          pages.push(page);
          cursor = page.nextCursor;
          assert.ok(pages.length <= 3, 'more pages than sessions allow');
        } while (cursor !== undefined);
        assert.deepEqual(pages.map((page) => page.sessions.length), [3, 3, 1]);
        const listed = pages.flatMap((page) => page.sessions);
        assert.deepEqual(listed.map((summary) => summary.id), expectedOrder);
        for (const summary of listed) {
          assert.equal(summary.tenant, 'acme');
          assert.equal('messages' in summary, false);
        }
        assert.equal(listed[0]!.version, 1);
        assert.equal(listed[0]!.metadata.n, '0');
      });

      it('pages sessions updated at the same instant without losing or repeating any', async () => {
        const ids = new Set<string>();
        for (let index = 0; index < 5; index++) ids.add((await store.sessions.create({ tenant: 'acme' })).id);
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.sessions.list('acme', cursor === undefined ? { limit: 2 } : { limit: 2, cursor });
          seen.push(...page.sessions.map((summary) => summary.id));
          cursor = page.nextCursor;
          pages++;
        } while (cursor !== undefined && pages < 10);
        assert.equal(pages, 3);
        assert.deepEqual(seen, [...ids].sort().reverse());
      });

      it('refuses a forged cursor and an out-of-range limit', async () => {
        await rejectsAsInvalid(store.sessions.list('acme', { cursor: 'not-a-cursor' }), 'cursor');
        await rejectsAsInvalid(store.sessions.list('acme', { limit: 0 }), 'limit');
        await rejectsAsInvalid(store.sessions.list('acme', { limit: 1.5 }), 'limit');
      });
    });

    describe('keys', () => {
      it('makes sb- keys with key_ ids and the default role and tier', async () => {
        const { key, record } = await store.keys.create({ tenant: 'acme' });
        assert.match(key, /^sb-[A-Za-z0-9_-]{32}$/);
        assert.match(record.id, /^key_[A-Za-z0-9_-]{12}$/);
        assert.deepEqual(record, { id: record.id, tenant: 'acme', role: 'user', tier: 'standard', createdAt: clock.current });
        const admin = await store.keys.create({ tenant: 'ops', role: 'admin', tier: 'gold' });
        assert.equal(admin.record.role, 'admin');
        assert.equal(admin.record.tier, 'gold');
        assert.notEqual(admin.key, key);
        await rejectsAsInvalid(store.keys.create({ tenant: 'acme', role: 'root' as 'admin' }), 'role');
        await rejectsAsInvalid(store.keys.create({ tenant: '' }), 'tenant');
      });

      it('verifies live keys and not unknown or revoked ones', async () => {
        const { key, record } = await store.keys.create({ tenant: 'acme', tier: 'pro' });
        assert.deepEqual(await store.keys.verify(key), record);
        assert.equal(await store.keys.verify(`${key}x`), undefined);
        assert.equal(await store.keys.verify(''), undefined);
        assert.equal(await store.keys.verify('sb-'.padEnd(10_000, 'a')), undefined);
        clock.advance(1000);
        assert.equal(await store.keys.revoke(record.id), true);
        assert.equal(await store.keys.verify(key), undefined);
        assert.equal(await store.keys.revoke(record.id), false);
        assert.equal(await store.keys.revoke('key_unknown'), false);
        assert.deepEqual(await store.keys.list('acme'), [{ ...record, revokedAt: clock.current }]);
      });

      it('lists by tenant and counts live keys', async () => {
        assert.equal(await store.keys.count(), 0);
        const made = [];
        for (const tenant of ['acme', 'globex', 'acme']) {
          made.push(await store.keys.create({ tenant }));
          clock.advance(10);
        }
        assert.equal(await store.keys.count(), 3);
        assert.deepEqual(await store.keys.list('acme'), [made[0]!.record, made[2]!.record]);
        assert.deepEqual(await store.keys.list('globex'), [made[1]!.record]);
        assert.deepEqual(await store.keys.list(), made.map((entry) => entry.record));
        assert.deepEqual(await store.keys.list('nobody'), []);
        await store.keys.revoke(made[1]!.record.id);
        assert.equal(await store.keys.count(), 2);
      });

      it('never stores the plain key, only its hash', async () => {
        const made = await Promise.all(Array.from({ length: 3 }, () => store.keys.create({ tenant: 'acme' })));
        const raw = await subject.rawStorage();
        const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw);
        for (const { key } of made) {
          // The hash being there proves the scan reaches where keys are kept.
          assert.ok(bytes.includes(hashApiKey(key)), 'the key hash is not in the storage scanned');
          assert.equal(bytes.includes(key), false, 'a plain key is in storage');
          assert.equal(bytes.includes(key.slice(3)), false, 'a plain key without its prefix is in storage');
        }
      });
    });

    describe('usage', () => {
      const base = Date.UTC(2025, 0, 1);
      const entries: UsageEntry[] = [
        { at: base, tenant: 'acme', route: 'chat', pool: 'vllm', model: 'llama', promptTokens: 10, completionTokens: 20, costUsd: 0.001 },
        { at: base + 1000, tenant: 'acme', route: 'chat', pool: 'vllm', model: 'llama', promptTokens: 5, completionTokens: 7, costUsd: 0.0025 },
        { at: base + 2000, tenant: 'acme', route: 'chat', pool: 'openai', model: 'gpt', promptTokens: 100, completionTokens: 50, costUsd: 0.03 },
        { at: base + 3000, tenant: 'acme', route: 'agent', pool: 'vllm', model: 'llama', promptTokens: 1, completionTokens: 2, costUsd: 0 },
        { at: base + 1500, tenant: 'globex', route: 'chat', pool: 'vllm', model: 'llama', promptTokens: 999, completionTokens: 999, costUsd: 9 },
      ];

      function expectedSummary(tenant: string, since = -Infinity, until = Infinity): UsageSummaryRow[] {
        const rows = new Map<string, UsageSummaryRow>();
        for (const entry of entries) {
          if (entry.tenant !== tenant || entry.at < since || entry.at >= until) continue;
          const key = `${entry.route}\u0000${entry.pool}\u0000${entry.model}`;
          const row = rows.get(key) ?? { route: entry.route, pool: entry.pool, model: entry.model, requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
          row.requests++;
          row.promptTokens += entry.promptTokens;
          row.completionTokens += entry.completionTokens;
          row.costUsd += entry.costUsd;
          rows.set(key, row);
        }
        return [...rows.entries()].sort(([left], [right]) => (left < right ? -1 : 1)).map(([, row]) => row);
      }

      function assertSummary(actual: UsageSummaryRow[], expected: UsageSummaryRow[]): void {
        assert.deepEqual(
          actual.map(({ costUsd, ...rest }) => rest),
          expected.map(({ costUsd, ...rest }) => rest),
        );
        actual.forEach((row, index) => assert.ok(Math.abs(row.costUsd - expected[index]!.costUsd) < 1e-9, `costUsd of row ${index}`));
      }

      it('sums usage per route, pool and model for one tenant', async () => {
        for (const entry of entries) await store.usage.record(entry);
        const summary = await store.usage.summary('acme');
        assert.equal(summary.length, 3);
        assertSummary(summary, expectedSummary('acme'));
        assertSummary(await store.usage.summary('globex'), expectedSummary('globex'));
        assert.deepEqual(await store.usage.summary('nobody'), []);
      });

      it('limits the summary to [since, until)', async () => {
        for (const entry of entries) await store.usage.record(entry);
        const window = await store.usage.summary('acme', { since: base + 1000, until: base + 3000 });
        assertSummary(window, expectedSummary('acme', base + 1000, base + 3000));
        assert.equal(window.reduce((sum, row) => sum + row.requests, 0), 2);
        assertSummary(await store.usage.summary('acme', { since: base + 2000 }), expectedSummary('acme', base + 2000));
        assertSummary(await store.usage.summary('acme', { until: base + 1 }), expectedSummary('acme', -Infinity, base + 1));
      });

      it('refuses malformed entries', async () => {
        await rejectsAsInvalid(store.usage.record({ ...entries[0]!, promptTokens: -1 }), 'promptTokens');
        await rejectsAsInvalid(store.usage.record({ ...entries[0]!, tenant: '' }), 'tenant');
        await rejectsAsInvalid(store.usage.record({ ...entries[0]!, costUsd: Number.NaN }), 'costUsd');
        assert.deepEqual(await store.usage.summary('acme'), []);
      });
    });

    describe('experiments', () => {
      runExperimentStoreContract(() => ({ store, clock }));
    });

    describe('embedding cache', () => {
      runEmbeddingCacheContract(() => ({ store }));
    });
    describe('admin', () => {
      runAdminStoreContract(() => ({ store, clock, openPeer: subject.openPeer, rawStorage: subject.rawStorage }));
    });
  });
}
