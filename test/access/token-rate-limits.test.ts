/** Token budgets: charged by the usage recorder after each call (as the app wires it), enforced by admission control on the next request. */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSwitchboardError } from '../../src/errors.js';
import { AdmissionController } from '../../src/access/admission-controller.js';
import { LocalRateLimiter } from '../../src/access/local-rate-limiter.js';
import { usageMetricsObserver } from '../../src/app/metrics-observers.js';
import { UsageRecorder } from '../../src/models/usage-recorder.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { createMemoryStore } from '../../src/stores/memory/memory-store.js';

const decision = { route: 'demo', rule: 'default', pool: 'sim', instance: 'sim-0', model: 'sim', attempts: 1 };
const usage = { promptTokens: 100, completionTokens: 50 };
const silent = { warn: () => undefined };

describe('token rate limits', () => {
  it('refuses a tenant whose recorded calls overdrew its tokens per minute, until the bucket refills', async () => {
    let now = 0;
    const settings = { maxInFlight: 10, maxQueued: 0, queueTimeoutMs: 100, tenantDefaults: { maxConcurrency: 0, requestsPerMinute: 0, tokensPerMinute: 120 }, tiers: {} };
    const admission = new AdmissionController(settings, () => now);
    const ledger = createMemoryStore().usage;
    const recorder = new UsageRecorder([{ name: 'sim', config: { prices: { inputPerMillionTokens: 0, outputPerMillionTokens: 0 } } }], ledger, {
      observer: usageMetricsObserver(new Metrics({ defaultMetrics: false }), admission, true),
      logger: silent,
    });
    (await admission.admit('acme', 'standard'))();
    recorder.record('acme', decision, usage);
    // 150 tokens against 120: the bucket is at -30 and needs 31 tokens, 15.5 s at 2 per second, to admit again.
    await assert.rejects(admission.admit('acme', 'standard'), (error: unknown) => {
      assert.ok(isSwitchboardError(error));
      assert.equal(error.code, 'rate_limited');
      assert.match(error.message, /120 tokens per minute/);
      assert.ok(Math.abs((error.retryAfterSeconds ?? 0) - 15.5) < 0.01, `retry after ${error.retryAfterSeconds}`);
      return true;
    });
    (await admission.admit('globex', 'standard'))();
    now = 15_000;
    await assert.rejects(admission.admit('acme', 'standard'), /tokens per minute/);
    now = 15_600;
    (await admission.admit('acme', 'standard'))();
    // The ledger still got the entry: charging is on the side.
    assert.equal((await ledger.summary('acme'))[0]?.promptTokens, 100);
  });

  it('charges nothing to a tenant without a token limit', async () => {
    const limiter = new LocalRateLimiter(() => 0);
    await limiter.chargeTokens('free', 1_000_000);
    assert.deepEqual(await limiter.admit('free', { requestsPerMinute: 1, tokensPerMinute: 0 }), { allowed: true });
    assert.equal((await limiter.admit('free', { requestsPerMinute: 1, tokensPerMinute: 0 })).allowed, false);
  });
});
