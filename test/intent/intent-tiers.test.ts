/** Every tier, and the whole cascade, against the contract; the model-backed tiers over real simulators behind the real router. */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { demoCascadeConfig, demoConfig } from '../../src/config/demo-config.js';
import { parseConfig } from '../../src/config/load-config.js';
import { buildIntentCascade, trainingClasses } from '../../src/intent/build-intent-cascade.js';
import { EmbeddingIntentClassifier } from '../../src/intent/embedding-intent-classifier.js';
import { FollowUpClassifier } from '../../src/intent/follow-up-classifier.js';
import { LlmIntentClassifier } from '../../src/intent/llm-intent-classifier.js';
import { RuleIntentClassifier } from '../../src/intent/rule-intent-classifier.js';
import { TrainedIntentClassifier } from '../../src/intent/trained-intent-classifier.js';
import { routeEmbedder } from '../../src/models/route-embedder.js';
import { createMemoryStore } from '../../src/stores/memory/memory-store.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { runIntentClassifierContract } from './intent-classifier-contract.js';

const config = parseConfig(demoConfig);
const agents = Object.keys(config.agents);
const intents = new Map(Object.entries(config.agents).map(([name, agent]) => [name, agent.intent ?? name]));
const order = 'Where is my order 48213?';
const advice = 'Can you recommend a good laptop for students?';

let server: TestServer;
let embedding: EmbeddingIntentClassifier;
before(async () => {
  server = await startTestServer({ intent: demoCascadeConfig.intent });
  embedding = new EmbeddingIntentClassifier(trainingClasses(config), { embedder: routeEmbedder(server.runtime.current.router, 'demo'), model: 'demo/switchboard-sim', cache: createMemoryStore().embeddings, topK: 3 });
  await embedding.prepare();
});
after(() => server.close());

const llmAgents = Object.entries(config.agents).map(([name, agent]) => ({ name, intent: agent.intent ?? name, description: agent.description }));

runIntentClassifierContract('rules', () => ({ classifier: new RuleIntentClassifier(config.agents), agents, known: { input: { text: order }, agent: 'order-support' }, other: { input: { text: advice }, agent: 'shopping-advice' } }));
runIntentClassifierContract('follow-up', () => ({
  classifier: new FollowUpClassifier(intents, new RuleIntentClassifier(config.agents)),
  agents,
  known: { input: { text: 'and when will it come?', previousAgent: 'order-support' }, agent: 'order-support' },
  other: { input: { text: 'ok, what about that one?', previousAgent: 'shopping-advice' }, agent: 'shopping-advice' },
}));
runIntentClassifierContract('trained', () => ({ classifier: new TrainedIntentClassifier(trainingClasses(config)), agents, known: { input: { text: 'the thing I bought never showed up' }, agent: 'order-support' }, other: { input: { text: 'a present for a ten year old?' }, agent: 'shopping-advice' } }));
runIntentClassifierContract('embedding', () => ({ classifier: embedding, agents, known: { input: { text: 'where is my order, it never arrived' }, agent: 'order-support' }, other: { input: { text: 'which laptop is best for students' }, agent: 'shopping-advice' } }));
runIntentClassifierContract('llm', () => ({
  classifier: new LlmIntentClassifier(llmAgents, { router: server.runtime.current.router, route: 'demo', timeoutMs: 10_000, cacheSize: 0, maxTokens: 64 }),
  agents,
  // The simulator names the enum value whose words the message uses.
  known: { input: { text: 'I have a question about order support' }, agent: 'order-support' },
  other: { input: { text: 'I need shopping advice' }, agent: 'shopping-advice' },
}));
runIntentClassifierContract('cascade', () => ({ classifier: server.runtime.current.intent, agents, known: { input: { text: order }, agent: 'order-support' }, other: { input: { text: advice }, agent: 'shopping-advice' } }));

describe('model-backed tiers', () => {
  it('computes example vectors once: a second preparation over the same store embeds nothing', async () => {
    const store = createMemoryStore();
    let embedded = 0;
    const counting = { embed: async (texts: readonly string[], signal?: AbortSignal) => ((embedded += texts.length), routeEmbedder(server.runtime.current.router, 'demo').embed(texts, signal)) };
    const make = () => new EmbeddingIntentClassifier(trainingClasses(config), { embedder: counting, model: 'demo/switchboard-sim', cache: store.embeddings, topK: 3 });
    const examples = trainingClasses(config).reduce((sum, entry) => sum + entry.examples.length, 0);
    assert.deepEqual(await make().prepare(), { cached: 0, embedded: examples });
    assert.deepEqual(await make().prepare(), { cached: examples, embedded: 0 });
    assert.equal(embedded, examples);
  });

  it('the LLM tier asks the route once per normalised message and answers repeats from its cache', async () => {
    let calls = 0;
    const router = server.runtime.current.router;
    const counted = { call: ((...args: Parameters<typeof router.call>) => ((calls += 1), router.call(...args))) as typeof router.call };
    const llm = new LlmIntentClassifier(llmAgents, { router: counted, route: 'demo', timeoutMs: 10_000, cacheSize: 10, maxTokens: 64 });
    const first = await llm.classify({ text: 'Question about my ORDER support!' }, new AbortController().signal);
    const second = await llm.classify({ text: '  question about my order support' }, new AbortController().signal);
    assert.equal(first.agent, 'order-support');
    assert.deepEqual(second, first);
    assert.equal(calls, 1);
  });

  it('the LLM tier has no opinion when its route fails, and the cascade moves on', async () => {
    const failing = { call: async () => Promise.reject(new Error('upstream down')) };
    const failures: unknown[] = [];
    const llm = new LlmIntentClassifier(llmAgents, { router: failing, route: 'demo', timeoutMs: 1000, cacheSize: 10, maxTokens: 64, onFailure: (error) => failures.push(error) });
    const result = await llm.classify({ text: 'anything' }, new AbortController().signal);
    assert.deepEqual([result.confidence, result.source, failures.length], [0, 'llm', 1]);
  });

  it('the cascade stops at the first confident tier: a rule-clear message never reaches the model tiers', async () => {
    const ran: string[] = [];
    const { cascade } = buildIntentCascade(parseConfig({ ...demoConfig, intent: demoCascadeConfig.intent }), { router: server.runtime.current.router, embeddings: createMemoryStore().embeddings, observer: { tierRan: (tier) => ran.push(tier) } });
    const result = await cascade.classify({ text: 'Where is my order #48213? The tracking shows nothing' }, new AbortController().signal);
    assert.equal(result.source, 'rules');
    assert.deepEqual(ran, ['follow-up', 'rules']);
  });
});
