import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config/load-config.js';
import type { ChatCallRequest } from '../../src/chat/chat-types.js';
import { ModelRouter } from '../../src/models/model-router.js';
import { poolConfig, routerConfig } from './instance-fixtures.js';

/** A hybrid setup: a self-hosted pool for critical flows, a cheap external API, a premium one, and rules between them. */
const config = routerConfig(
  {
    'self-hosted': poolConfig({ instances: [{ url: 'http://vllm-0:8000' }], prices: { inputPerMillionTokens: 0, outputPerMillionTokens: 0 } }),
    'cheap-api': poolConfig({ instances: [{ url: 'https://api.cheap.example' }], prices: { inputPerMillionTokens: 0.15, outputPerMillionTokens: 0.6 } }),
    'premium-api': poolConfig({ instances: [{ url: 'https://api.premium.example' }], prices: { inputPerMillionTokens: 3, outputPerMillionTokens: 15 } }),
  },
  {
    assistant: {
      pool: 'self-hosted',
      fallbacks: ['cheap-api'],
      rules: [
        { name: 'critical-flows', when: { agents: ['checkout'] }, pool: 'self-hosted', fallbacks: ['premium-api'] },
        { name: 'enterprise', when: { tiers: ['enterprise'], maxCostUsd: 0.01 }, pool: 'premium-api', fallbacks: ['self-hosted'] },
        { name: 'simple-questions', when: { intents: ['faq', 'greeting'], maxPromptTokens: 200 }, pool: 'cheap-api', fallbacks: ['self-hosted'] },
        { name: 'long-prompts', when: { minPromptTokens: 2_000 }, pool: 'premium-api' },
        { name: 'one-tenant', when: { tenants: ['acme'], agents: ['support'] }, pool: 'cheap-api' },
      ],
    },
  },
  // What the rules name must exist: agents (their intents), tiers and tenants.
  {
    agents: { checkout: { route: 'assistant' }, support: { route: 'assistant' }, faq: { route: 'assistant' }, greeter: { route: 'assistant', intent: 'greeting' } },
    limits: { tiers: { enterprise: {} } },
    tenants: ['acme'],
  },
);
const router = new ModelRouter(config, (url) => url);

function request(characters: number, maxTokens = 256): ChatCallRequest {
  return { model: '', messages: [{ role: 'user', content: 'x'.repeat(characters) }], maxTokens };
}

const poolsOf = (plan: { pools: readonly { name: string }[] }) => plan.pools.map((pool) => pool.name);

describe('routing rules', () => {
  it('falls back to the route\'s own pools under the rule "default" when no rule matches', () => {
    const plan = router.plan('assistant', request(100), { agent: 'support', intent: 'order_status', tier: 'free' });
    assert.equal(plan.rule, 'default');
    assert.deepEqual(poolsOf(plan), ['self-hosted', 'cheap-api']);
  });

  it('matches by agent, first rule first', () => {
    const plan = router.plan('assistant', request(100), { agent: 'checkout', intent: 'faq', tier: 'enterprise' });
    assert.equal(plan.rule, 'critical-flows');
    assert.deepEqual(poolsOf(plan), ['self-hosted', 'premium-api']);
  });

  it('matches by intent with a prompt-size bound', () => {
    assert.equal(router.plan('assistant', request(400), { intent: 'faq' }).rule, 'simple-questions');
    assert.equal(router.plan('assistant', request(4_000), { intent: 'faq' }).rule, 'default', '1,000 tokens is not a simple question');
  });

  it('matches by estimated prompt tokens alone', () => {
    const plan = router.plan('assistant', request(10_000), {});
    assert.equal(plan.rule, 'long-prompts');
    assert.deepEqual(poolsOf(plan), ['premium-api']);
  });

  it('matches by tier only while the call fits under the rule\'s cost ceiling', () => {
    // 100 prompt tokens · $3/M + 256 output · $15/M ≈ $0.0042: under $0.01.
    const affordable = router.plan('assistant', request(400, 256), { tier: 'enterprise' });
    assert.equal(affordable.rule, 'enterprise');
    assert.equal(affordable.maxCostUsd, 0.01);
    // 4,000 output tokens · $15/M = $0.06: over the ceiling, so the rule does not apply.
    assert.equal(router.plan('assistant', request(400, 4_000), { tier: 'enterprise' }).rule, 'default');
  });

  it('needs every condition of a rule to hold', () => {
    assert.equal(router.plan('assistant', request(100), { tenant: 'acme', agent: 'support' }).rule, 'one-tenant');
    assert.equal(router.plan('assistant', request(100), { tenant: 'acme', agent: 'sales' }).rule, 'default');
    assert.equal(router.plan('assistant', request(100), undefined).rule, 'default', 'no hints: conditions on hints fail');
  });

  it('refuses rules that name unknown pools, reuse a name, or have crossed token bounds, naming the field', () => {
    const bad = {
      pools: { a: { model: 'm', instances: [{ url: 'http://a' }] } },
      routes: {
        r: {
          pool: 'a',
          rules: [
            { name: 'x', when: {}, pool: 'missing' },
            { name: 'x', when: { minPromptTokens: 10, maxPromptTokens: 5 }, pool: 'a', fallbacks: ['nope'] },
            { name: 'default', pool: 'a' },
          ],
        },
      },
      agents: { helper: { route: 'r' } },
      intent: { defaultAgent: 'helper' },
    };
    assert.throws(
      () => parseConfig(bad),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const text = error.problems.join('\n');
        assert.match(text, /routes\.r\.rules\.0\.pool: unknown pool "missing"/);
        assert.match(text, /routes\.r\.rules\.1\.name: rule name "x" is used twice/);
        assert.match(text, /routes\.r\.rules\.1\.fallbacks: unknown pool "nope"/);
        assert.match(text, /routes\.r\.rules\.1\.when\.minPromptTokens: must not exceed maxPromptTokens/);
        assert.match(text, /routes\.r\.rules\.2\.name: rule name "default" is reserved/);
        return true;
      },
    );
  });

  it('refuses a queue-aware pool without an engine to scrape', () => {
    assert.throws(
      () => routerConfig({ p: poolConfig({ instances: [{ url: 'http://a' }], balancer: 'queue-aware' }) }, { r: { pool: 'p' } }),
      /pools\.p\.engine: the queue-aware balancer needs the engine/,
    );
  });
});
