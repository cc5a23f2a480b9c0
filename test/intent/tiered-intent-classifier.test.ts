import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoConfig } from '../../src/config/demo-config.js';
import { parseConfig } from '../../src/config/load-config.js';
import { buildIntentCascade } from '../../src/intent/build-intent-cascade.js';
import type { IntentInput } from '../../src/intent/intent-classifier.js';

const config = parseConfig(demoConfig);
const { cascade } = buildIntentCascade(config);
const signal = new AbortController().signal;
const classify = (input: IntentInput) => cascade.classify(input, signal);

describe('tiered intent detection', () => {
  it('routes by rules with a confidence from the evidence', async () => {
    const order = await classify({ text: 'Where is my order #48213? The tracking shows nothing' });
    assert.equal(order.agent, 'order-support');
    assert.equal(order.source, 'rules');
    assert.ok(order.confidence >= 0.85);
    const advice = await classify({ text: 'Can you recommend the best running shoes?' });
    assert.equal(advice.agent, 'shopping-advice');
    assert.equal(advice.intent, 'shopping_advice');
  });

  it('lowers confidence when two agents match', async () => {
    const clear = await classify({ text: 'refund my order' });
    const mixed = await classify({ text: 'refund my order and recommend a better one' });
    assert.ok(mixed.confidence < clear.confidence, `${mixed.confidence} < ${clear.confidence}`);
  });

  it('keeps an unsure follow-up with the previous agent, else falls back to the default', async () => {
    const followUp = await classify({ text: 'ok, and after that?', previousAgent: 'order-support' });
    assert.deepEqual([followUp.agent, followUp.source], ['order-support', 'follow-up']);
    const fresh = await classify({ text: 'hello' });
    assert.deepEqual([fresh.agent, fresh.source], ['shopping-advice', 'default']);
    assert.ok(fresh.confidence < 0.3, `unsure: ${fresh.confidence}`);
  });

  it('honours an explicitly requested agent above everything', async () => {
    const explicit = await classify({ text: 'where is my order 123', requestedAgent: 'shopping-advice' });
    assert.deepEqual([explicit.agent, explicit.source, explicit.confidence], ['shopping-advice', 'explicit', 1]);
  });

  it('matches whole words only', async () => {
    assert.notEqual((await classify({ text: 'bordering countries' })).source, 'rules');
  });

  it('lets the trained tier decide what no rule names, and sends out-of-scope messages to the fallback', async () => {
    const parcel = await classify({ text: 'the thing I bought never showed up' });
    assert.deepEqual([parcel.agent, parcel.source], ['order-support', 'trained']);
    const weather = await classify({ text: 'what is the weather in Rome tomorrow?' });
    assert.equal(weather.outOfScope, true);
    assert.equal(weather.agent, 'shopping-advice');
    assert.equal(weather.source, 'trained');
  });
});

describe('intent config', () => {
  it('refuses tiers that name unknown routes or agents, or learn from no examples, by field', () => {
    const base = { pools: demoConfig.pools, routes: demoConfig.routes, agents: { a: { route: 'demo' } } };
    assert.throws(() => parseConfig({ ...base, intent: { defaultAgent: 'a', tiers: { llm: { route: 'nope' } } } }), /intent\.tiers\.llm\.route.*unknown route "nope"/);
    assert.throws(() => parseConfig({ ...base, intent: { defaultAgent: 'a', outOfScope: { agent: 'ghost' } } }), /intent\.outOfScope\.agent.*unknown agent "ghost"/);
    assert.throws(() => parseConfig({ ...base, intent: { defaultAgent: 'a', tiers: { trained: {} } } }), /intent\.tiers\.trained.*no agent has any/);
    assert.throws(() => parseConfig({ ...base, intent: { defaultAgent: 'a', tiers: { trained: { threshold: 2 } } } }), /intent\.tiers\.trained\.threshold/);
    assert.throws(() => parseConfig({ ...base, intent: { defaultAgent: 'a', whenUnsure: { action: 'guess' } } }), /intent\.whenUnsure\.action/);
  });
});
