import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdmissionController, type AdmissionSettings } from '../../src/access/admission-controller.js';
import { isSwitchboardError } from '../../src/errors.js';

function settings(overrides: Partial<AdmissionSettings> = {}): AdmissionSettings {
  return { maxInFlight: 2, maxQueued: 2, queueTimeoutMs: 200, tenantDefaults: { maxConcurrency: 0, requestsPerMinute: 0 }, tiers: {}, ...overrides };
}

function codeOf(error: unknown): string {
  assert.ok(isSwitchboardError(error), String(error));
  return error.code;
}

describe('admission control', () => {
  it('admits up to the cap, queues up to the bound, refuses the rest at once with Retry-After', async () => {
    const admission = new AdmissionController(settings());
    const first = await admission.admit('t', 'standard');
    await admission.admit('t', 'standard');
    const queued = [admission.admit('t', 'standard'), admission.admit('t', 'standard')];
    assert.equal(admission.queued, 2);
    const started = performance.now();
    await assert.rejects(admission.admit('t', 'standard'), (error: unknown) => codeOf(error) === 'server_overloaded' && (error as { retryAfterSeconds: number }).retryAfterSeconds >= 1);
    // Well under the 200 ms queue timeout: the refusal did not wait for it.
    assert.ok(performance.now() - started < 100, 'the refusal must not wait');
    first();
    const admitted = await queued[0]!;
    assert.equal(admission.inFlight, 2);
    admitted();
    await (await queued[1]!)();
  });

  it('refuses a queued request with 503 when its deadline passes', async () => {
    const admission = new AdmissionController(settings({ maxInFlight: 1, queueTimeoutMs: 50 }));
    const release = await admission.admit('t', 'standard');
    await assert.rejects(admission.admit('t', 'standard'), (error: unknown) => codeOf(error) === 'server_overloaded');
    assert.equal(admission.queued, 0);
    release();
    assert.equal(admission.inFlight, 0);
  });

  it('lets a higher tier leave the queue first, FIFO within a tier', async () => {
    const admission = new AdmissionController(settings({ maxInFlight: 1, maxQueued: 10, queueTimeoutMs: 1000, tiers: { premium: { priority: 10 } } }));
    const order: string[] = [];
    const release = await admission.admit('a', 'standard');
    const waits = [
      admission.admit('b', 'standard').then((done) => (order.push('standard-1'), done)),
      admission.admit('c', 'standard').then((done) => (order.push('standard-2'), done)),
      admission.admit('d', 'premium').then((done) => (order.push('premium'), done)),
    ];
    release();
    for (let index = 0; index < 3; index++) {
      await new Promise((resolve) => setImmediate(resolve));
      const next = await Promise.race(waits.map((wait, position) => wait.then((done) => ({ done, position }))));
      waits.splice(next.position, 1);
      next.done();
    }
    assert.deepEqual(order, ['premium', 'standard-1', 'standard-2']);
  });

  it('limits one tenant without touching another', async () => {
    const admission = new AdmissionController(settings({ maxInFlight: 10, tenantDefaults: { maxConcurrency: 1, requestsPerMinute: 0 } }));
    const release = await admission.admit('greedy', 'standard');
    await assert.rejects(admission.admit('greedy', 'standard'), (error: unknown) => codeOf(error) === 'tenant_concurrency_exceeded');
    (await admission.admit('polite', 'standard'))();
    release();
    (await admission.admit('greedy', 'standard'))();
  });

  it('refills a tenant request rate over time', async () => {
    let now = 0;
    const admission = new AdmissionController(settings({ maxInFlight: 10, tenantDefaults: { maxConcurrency: 0, requestsPerMinute: 2 } }), () => now);
    (await admission.admit('t', 'standard'))();
    (await admission.admit('t', 'standard'))();
    await assert.rejects(admission.admit('t', 'standard'), (error: unknown) => codeOf(error) === 'rate_limited' && Math.abs((error as { retryAfterSeconds: number }).retryAfterSeconds - 30) < 0.01);
    now = 30_000;
    (await admission.admit('t', 'standard'))();
  });
});
