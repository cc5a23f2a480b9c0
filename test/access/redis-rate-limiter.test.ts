/** The Redis rate limiter on a real redis-server: one budget shared by several processes' limiters, atomic under concurrency. */

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { isSwitchboardError } from '../../src/errors.js';
import { AdmissionController } from '../../src/access/admission-controller.js';
import { RedisRateLimiter } from '../../src/access/redis-rate-limiter.js';
import { connectRedis } from '../../src/stores/redis/redis-connection.js';
import { connectTestRedis, deleteKeysUnder, testRedisUrl, uniqueKeyPrefix } from '../support/redis-test-server.js';

const admin = await connectTestRedis();
const prefixes: string[] = [];
const connections: Redis[] = [];
after(async () => {
  for (const prefix of prefixes) await deleteKeysUnder(admin, prefix);
  for (const connection of connections) connection.disconnect();
  await admin.quit();
});

/** `count` limiters on their own connections, as separate processes would have, sharing one key prefix. */
async function limiters(count: number): Promise<RedisRateLimiter[]> {
  const keyPrefix = uniqueKeyPrefix('rate');
  prefixes.push(keyPrefix);
  const made: RedisRateLimiter[] = [];
  for (let index = 0; index < count; index++) {
    const connection = await connectRedis(testRedisUrl);
    connections.push(connection);
    made.push(new RedisRateLimiter(connection, { keyPrefix, ownsConnection: false }));
  }
  return made;
}

describe('redis rate limiter', () => {
  it('makes two instances share one requests-per-minute budget', async () => {
    const [first, second] = await limiters(2);
    const limits = { requestsPerMinute: 30, tokensPerMinute: 0 };
    let allowed = 0;
    for (let index = 0; index < 60; index++) {
      const decision = await (index % 2 === 0 ? first! : second!).admit('acme', limits);
      if (decision.allowed) allowed++;
    }
    // 30 up front; the bucket refills half a request per second, so a slow machine may see one more.
    assert.ok(allowed >= 30 && allowed <= 31, `${allowed} of 60 allowed with a shared budget of 30`);
    // Another tenant has its own budget.
    assert.equal((await second!.admit('globex', limits)).allowed, true);
  });

  it('never spends the same budget twice under 200 concurrent calls from four connections', async () => {
    const group = await limiters(4);
    const limits = { requestsPerMinute: 50, tokensPerMinute: 0 };
    const decisions = await Promise.all(Array.from({ length: 200 }, (_, index) => group[index % 4]!.admit('burst', limits)));
    const allowed = decisions.filter((decision) => decision.allowed).length;
    assert.ok(allowed >= 50 && allowed <= 51, `${allowed} of 200 allowed with a budget of 50`);
    for (const decision of decisions) if (!decision.allowed) assert.equal(decision.limit, 'requests');
  });

  it('answers a sane Retry-After: the time until one request is back', async () => {
    const [limiter] = await limiters(1);
    const limits = { requestsPerMinute: 2, tokensPerMinute: 0 };
    assert.equal((await limiter!.admit('slow', limits)).allowed, true);
    assert.equal((await limiter!.admit('slow', limits)).allowed, true);
    const refused = await limiter!.admit('slow', limits);
    assert.equal(refused.allowed, false);
    const retryAfter = (refused as { retryAfterSeconds: number }).retryAfterSeconds;
    // Empty bucket, refilling 2 per minute: 30 s, less the little time since the first call.
    assert.ok(retryAfter > 25 && retryAfter <= 30, `retry after ${retryAfter} s`);
  });

  it('charges tokens after the call and refuses everyone while the token budget is overdrawn', async () => {
    const [first, second] = await limiters(2);
    const limits = { requestsPerMinute: 0, tokensPerMinute: 100 };
    assert.equal((await first!.admit('chatty', limits)).allowed, true);
    await first!.chargeTokens('chatty', 150);
    const refused = await second!.admit('chatty', limits);
    assert.equal(refused.allowed, false);
    assert.equal((refused as { limit: string }).limit, 'tokens');
    // At -50 and 100 a minute, one token is back after 51 / 100 minutes.
    const retryAfter = (refused as { retryAfterSeconds: number }).retryAfterSeconds;
    assert.ok(retryAfter > 28 && retryAfter <= 30.6, `retry after ${retryAfter} s`);
    // A tenant without a token limit is not charged anything.
    await first!.chargeTokens('unlimited', 1_000_000);
    assert.equal((await first!.admit('unlimited', { requestsPerMinute: 5, tokensPerMinute: 0 })).allowed, true);
  });

  it('admits without limits, and says so, when Redis cannot answer', async () => {
    const connection = await connectRedis(testRedisUrl);
    const errors: string[] = [];
    const limiter = new RedisRateLimiter(connection, { keyPrefix: uniqueKeyPrefix('down'), onError: (error) => errors.push(error.message) });
    connection.disconnect();
    const decision = await limiter.admit('acme', { requestsPerMinute: 1, tokensPerMinute: 0 });
    assert.deepEqual(decision, { allowed: true });
    assert.equal(errors.length, 1);
    await limiter.close();
  });

  it('backs admission control: two controllers refuse past the shared budget with 429 and Retry-After', async () => {
    const [first, second] = await limiters(2);
    const settings = { maxInFlight: 100, maxQueued: 0, queueTimeoutMs: 100, tenantDefaults: { maxConcurrency: 0, requestsPerMinute: 4 }, tiers: {} };
    const controllers = [new AdmissionController(settings, Date.now, first), new AdmissionController(settings, Date.now, second)];
    const outcomes: string[] = [];
    for (let index = 0; index < 8; index++) {
      try {
        (await controllers[index % 2]!.admit('acme', 'standard'))();
        outcomes.push('admitted');
      } catch (error) {
        assert.ok(isSwitchboardError(error));
        assert.equal(error.code, 'rate_limited');
        assert.ok((error.retryAfterSeconds ?? 0) > 0);
        outcomes.push('refused');
      }
    }
    assert.deepEqual(outcomes, ['admitted', 'admitted', 'admitted', 'admitted', 'refused', 'refused', 'refused', 'refused']);
    assert.equal(controllers[0]!.inFlight + controllers[1]!.inFlight, 0, 'refusals give their slot back');
  });
});
