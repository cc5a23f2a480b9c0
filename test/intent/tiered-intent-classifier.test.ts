import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoConfig } from '../../src/config/demo-config.js';
import { parseConfig } from '../../src/config/load-config.js';
import { TieredIntentClassifier } from '../../src/intent/tiered-intent-classifier.js';

const classifier = new TieredIntentClassifier(parseConfig(demoConfig));

describe('tiered intent detection', () => {
  it('routes by rules with a confidence from the evidence', () => {
    const order = classifier.classify({ text: 'Where is my order #48213? The tracking shows nothing' });
    assert.equal(order.agent, 'order-support');
    assert.equal(order.source, 'rules');
    assert.ok(order.confidence >= 0.85);
    const advice = classifier.classify({ text: 'Can you recommend the best running shoes?' });
    assert.equal(advice.agent, 'shopping-advice');
    assert.equal(advice.intent, 'shopping_advice');
  });

  it('lowers confidence when two agents match', () => {
    const clear = classifier.classify({ text: 'refund my order' });
    const mixed = classifier.classify({ text: 'refund my order and recommend a better one' });
    assert.ok(mixed.confidence < clear.confidence, `${mixed.confidence} < ${clear.confidence}`);
  });

  it('keeps an unsure follow-up with the previous agent, else falls back to the default', () => {
    const followUp = classifier.classify({ text: 'ok, and after that?', previousAgent: 'order-support' });
    assert.deepEqual([followUp.agent, followUp.source], ['order-support', 'follow-up']);
    const fresh = classifier.classify({ text: 'hello' });
    assert.deepEqual([fresh.agent, fresh.source, fresh.confidence], ['shopping-advice', 'default', 0]);
  });

  it('honours an explicitly requested agent above everything', () => {
    const explicit = classifier.classify({ text: 'where is my order 123', requestedAgent: 'shopping-advice' });
    assert.deepEqual([explicit.agent, explicit.source, explicit.confidence], ['shopping-advice', 'explicit', 1]);
  });

  it('matches whole words only', () => {
    assert.equal(classifier.classify({ text: 'bordering countries' }).source, 'default');
  });
});
