import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigInput } from '../../src/config/config-schema.js';
import { isSwitchboardError } from '../../src/errors.js';
import type { ChatCallRequest, ChatStreamPart } from '../../src/chat/chat-types.js';
import { BreakerState } from '../../src/models/circuit-breaker.js';
import { ModelRouter, type RouterObserver } from '../../src/models/model-router.js';
import { poolConfig, routerConfig, seededRandom } from './instance-fixtures.js';
import { ScriptedProvider, type Outcome } from './scripted-provider.js';

const fast = { baseDelayMs: 1, maxDelayMs: 200 };

class RecordingObserver implements RouterObserver {
  readonly breakers = new Map<string, BreakerState>();
  readonly ended: { instance: string; ok: boolean }[] = [];
  upstreamEnded(_pool: string, instance: string, _seconds: number, ok: boolean): void {
    this.ended.push({ instance, ok });
  }
  firstToken(): void {}
  breakerChanged(_pool: string, instance: string, state: BreakerState): void {
    this.breakers.set(instance, state);
  }
}

/** A router over scripted providers: `scripts` maps each instance URL to what its calls do. */
function build(pools: ConfigInput['pools'], routes: ConfigInput['routes'], scripts: Record<string, (call: number) => Outcome>) {
  const providers = new Map<string, ScriptedProvider>();
  const observer = new RecordingObserver();
  // The cost-ceiling rule names the tier "free": rules may name only declared tiers.
  const router = new ModelRouter(routerConfig(pools, routes, { limits: { tiers: { free: {} } } }), (url) => url, {
    random: seededRandom(1),
    observer,
    createProvider: (_config, url) => {
      const provider = new ScriptedProvider(url, scripts[url] ?? (() => ({ kind: 'ok' })));
      providers.set(url, provider);
      return provider;
    },
  });
  return { router, providers, observer, provider: (url: string) => providers.get(url)! };
}

const request = (): ChatCallRequest => ({ model: '', messages: [{ role: 'user', content: 'hello' }], sessionId: 's-1' });
const signal = () => new AbortController().signal;

async function collect(parts: AsyncGenerator<ChatStreamPart>): Promise<string> {
  let text = '';
  for await (const part of parts) if (part.type === 'text-delta') text += part.text;
  return text;
}

describe('model router', () => {
  it('retries a retryable failure on another instance and reports every attempt', async () => {
    const { router, provider } = build(
      { main: poolConfig({ instances: [{ url: 'http://a' }, { url: 'http://b' }], balancer: 'round-robin', retry: fast }) },
      { r: { pool: 'main' } },
      { 'http://a': () => ({ kind: 'status', status: 503 }) },
    );
    const { result, decision } = await router.call('r', request(), signal());
    assert.equal(result.text, 'answer from http://b');
    assert.deepEqual({ pool: decision.pool, instance: decision.instance, attempts: decision.attempts, rule: decision.rule, model: decision.model }, { pool: 'main', instance: 'main-1', attempts: 2, rule: 'default', model: 'test-model' });
    assert.equal(provider('http://a').calls, 1);
    assert.equal(provider('http://a').requests[0]!.model, 'test-model', 'the pool\'s model goes upstream');
  });

  it('does not retry a failure that is not retryable', async () => {
    const { router, provider } = build(
      { main: poolConfig({ instances: [{ url: 'http://a' }, { url: 'http://b' }], balancer: 'round-robin', retry: fast }), spare: poolConfig({ instances: [{ url: 'http://c' }] }) },
      { r: { pool: 'main', fallbacks: ['spare'] } },
      { 'http://a': () => ({ kind: 'status', status: 400 }) },
    );
    await assert.rejects(router.call('r', request(), signal()), (error: unknown) => isSwitchboardError(error) && error.code === 'upstream_invalid_request' && error.status === 400);
    assert.equal(provider('http://b').calls + provider('http://c').calls, 0);
  });

  it('honours Retry-After: waits for the only instance to cool down, then retries it', async () => {
    const { router, provider } = build(
      { main: poolConfig({ instances: [{ url: 'http://a' }], retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1_000 } }) },
      { r: { pool: 'main' } },
      { 'http://a': (call) => (call === 0 ? { kind: 'status', status: 429, retryAfterMs: 150 } : { kind: 'ok' }) },
    );
    const started = performance.now();
    const { decision } = await router.call('r', request(), signal());
    assert.ok(performance.now() - started >= 140, 'waited for Retry-After');
    assert.equal(decision.attempts, 2);
    assert.equal(provider('http://a').calls, 2);
  });

  it('with Retry-After on one instance, retries at once on another instead of waiting', async () => {
    const { router, provider } = build(
      { main: poolConfig({ instances: [{ url: 'http://a' }, { url: 'http://b' }], balancer: 'round-robin', retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5_000 } }) },
      { r: { pool: 'main' } },
      { 'http://a': () => ({ kind: 'status', status: 429, retryAfterMs: 3_000 }) },
    );
    const started = performance.now();
    await router.call('r', request(), signal());
    assert.ok(performance.now() - started < 1_000);
    // The cooling instance is skipped by later calls too.
    for (let index = 0; index < 4; index++) await router.call('r', request(), signal());
    assert.equal(provider('http://a').calls, 1);
  });

  it('falls back to the next pool when every attempt in the first fails, and to nothing when all are down', async () => {
    const { router, provider } = build(
      { main: poolConfig({ instances: [{ url: 'http://a' }, { url: 'http://b' }], retry: { attempts: 2, ...fast } }), spare: poolConfig({ instances: [{ url: 'http://c' }] }) },
      { r: { pool: 'main', fallbacks: ['spare'] } },
      { 'http://a': () => ({ kind: 'connect' }), 'http://b': () => ({ kind: 'status', status: 502 }) },
    );
    const { decision } = await router.call('r', request(), signal());
    assert.equal(decision.pool, 'spare');
    assert.equal(decision.attempts, 3);
    provider('http://c').setScript(() => ({ kind: 'status', status: 500 }));
    await assert.rejects(router.call('r', request(), signal()), (error: unknown) => isSwitchboardError(error) && error.code === 'upstream_error');
  });

  it('passes over a pool at its concurrency limit without trying it', async () => {
    const { router, provider } = build(
      { main: poolConfig({ instances: [{ url: 'http://a' }], maxConcurrency: 1 }), spare: poolConfig({ instances: [{ url: 'http://b' }] }) },
      { r: { pool: 'main', fallbacks: ['spare'] } },
      { 'http://a': () => ({ kind: 'stall' }) },
    );
    const controller = new AbortController();
    const stuck = router.call('r', request(), controller.signal).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const { decision } = await router.call('r', request(), signal());
    assert.equal(decision.pool, 'spare');
    assert.equal(decision.attempts, 1);
    controller.abort(new Error('caller left'));
    assert.match(String(await stuck), /caller left/);
    assert.equal(provider('http://a').calls, 1);
  });

  it('overflows from saturated instances to the next pool, but queues on the last pool rather than fail', async () => {
    const { router, provider } = build(
      { local: poolConfig({ instances: [{ url: 'http://gpu' }], engine: 'vllm' }), external: poolConfig({ instances: [{ url: 'http://api' }] }) },
      { r: { pool: 'local', fallbacks: ['external'] }, onlyLocal: { pool: 'local' } },
      {},
    );
    const gpu = router.pools.get('local')!.instances[0]!;
    gpu.updateLoad(20, 64, 0.5, router.now());
    assert.equal((await router.call('r', request(), signal())).decision.pool, 'external');
    assert.equal((await router.call('onlyLocal', request(), signal())).decision.pool, 'local', 'the last pool takes the call though saturated');
    gpu.updateLoad(0, 10, 0.2, router.now());
    assert.equal((await router.call('r', request(), signal())).decision.pool, 'local');
    assert.equal(provider('http://gpu').calls, 2);
  });

  it('opens an instance\'s breaker after repeated failures, skips it, and reports the state', async () => {
    const { router, provider, observer } = build(
      {
        main: poolConfig({
          instances: [{ url: 'http://bad', name: 'bad' }, { url: 'http://good', name: 'good' }],
          balancer: 'round-robin',
          retry: { attempts: 2, ...fast },
          breaker: { minimumCalls: 3, failureRate: 0.5, windowMs: 10_000, openMs: 60_000 },
        }),
      },
      { r: { pool: 'main' } },
      { 'http://bad': () => ({ kind: 'status', status: 500 }) },
    );
    assert.equal(observer.breakers.get('bad'), BreakerState.closed, 'every breaker is reported at start');
    for (let index = 0; index < 10; index++) await router.call('r', request(), signal());
    assert.equal(observer.breakers.get('bad'), BreakerState.open);
    assert.equal(provider('http://bad').calls, 3, 'no call reaches an open breaker');
    assert.equal(observer.breakers.get('good'), BreakerState.closed);
  });

  it('streams: retries before the first part, never after it', async () => {
    const { router, provider } = build(
      { main: poolConfig({ instances: [{ url: 'http://a' }, { url: 'http://b' }], balancer: 'round-robin', retry: fast }) },
      { r: { pool: 'main' } },
      { 'http://a': () => ({ kind: 'connect' }), 'http://b': () => ({ kind: 'break-after-first' }) },
    );
    const { decision, parts } = router.stream('r', request(), signal());
    const first = await parts.next();
    assert.deepEqual(first.value, { type: 'text-delta', text: 'first ' });
    assert.equal(decision.instance, 'main-1', 'decisions name instances by their names, not URLs');
    await assert.rejects(parts.next(), (error: unknown) => isSwitchboardError(error) && error.code === 'upstream_error' && /scripted break/.test(error.message));
    assert.equal(provider('http://a').calls + provider('http://b').calls, 2, 'no retry after the first part');
  });

  it('streams: a stalled instance is abandoned at the first-token timeout and another answers', async () => {
    const { router } = build(
      { main: poolConfig({ instances: [{ url: 'http://stalled' }, { url: 'http://ok' }], balancer: 'round-robin', retry: fast, timeouts: { firstTokenMs: 80 } }) },
      { r: { pool: 'main' } },
      { 'http://stalled': () => ({ kind: 'stall' }) },
    );
    const { decision, parts } = router.stream('r', request(), signal());
    assert.equal(await collect(parts), 'first from http://ok');
    assert.equal(decision.attempts, 2);
    const alone = build({ main: poolConfig({ instances: [{ url: 'http://stalled' }], retry: { attempts: 1 }, timeouts: { firstTokenMs: 50 } }) }, { r: { pool: 'main' } }, { 'http://stalled': () => ({ kind: 'stall' }) });
    await assert.rejects(collect(alone.router.stream('r', request(), signal()).parts), (error: unknown) => isSwitchboardError(error) && error.code === 'upstream_timeout');
  });

  it('skips fallback pools above a rule\'s cost ceiling', async () => {
    const { router, provider } = build(
      {
        cheap: poolConfig({ instances: [{ url: 'http://cheap' }], prices: { inputPerMillionTokens: 0.1, outputPerMillionTokens: 0.4 }, retry: { attempts: 1 } }),
        premium: poolConfig({ instances: [{ url: 'http://premium' }], prices: { inputPerMillionTokens: 15, outputPerMillionTokens: 75 } }),
        local: poolConfig({ instances: [{ url: 'http://local' }] }),
      },
      { r: { pool: 'cheap', rules: [{ name: 'budget', when: { tiers: ['free'], maxCostUsd: 0.001 }, pool: 'cheap', fallbacks: ['premium', 'local'] }] } },
      { 'http://cheap': () => ({ kind: 'status', status: 503 }) },
    );
    const { decision } = await router.call('r', { ...request(), maxTokens: 500 }, signal(), { tier: 'free' });
    assert.equal(decision.rule, 'budget');
    assert.equal(decision.pool, 'local');
    assert.equal(provider('http://premium').calls, 0);
  });

  it('stops at once when the caller goes away, and the attempt does not count against the instance', async () => {
    const { router, observer, provider } = build(
      { main: poolConfig({ instances: [{ url: 'http://a' }, { url: 'http://b' }], breaker: { minimumCalls: 1 } }) },
      { r: { pool: 'main' } },
      { 'http://a': () => ({ kind: 'stall' }), 'http://b': () => ({ kind: 'stall' }) },
    );
    const controller = new AbortController();
    const call = router.call('r', request(), controller.signal);
    setTimeout(() => controller.abort(new Error('client disconnected')), 20);
    await assert.rejects(call, /client disconnected/);
    assert.equal(provider('http://a').calls + provider('http://b').calls, 1);
    assert.equal([...observer.breakers.values()].every((state) => state === BreakerState.closed), true);
    assert.equal(router.pools.get('main')!.inFlight, 0);
  });

  it('answers no_healthy_upstream when no pool has an instance to try', async () => {
    const { router } = build({ main: poolConfig({ instances: [{ url: 'http://gpu' }], engine: 'vllm' }) }, { r: { pool: 'main' } }, {});
    const instance = router.pools.get('main')!.instances[0]!;
    for (let index = 0; index < 5; index++) {
      instance.breaker.onDispatch();
      instance.breaker.onFailure(router.now(), false);
    }
    await assert.rejects(router.call('r', request(), signal()), (error: unknown) => isSwitchboardError(error) && error.code === 'no_healthy_upstream' && error.status === 503);
  });
});
