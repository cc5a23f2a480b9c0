/** The intent cascade through real turns: tier and confidence in the reply and the `intent` event, asking back, refusing, metrics. */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { demoConfig } from '../../src/config/demo-config.js';
import { authHeaders, readSse, startTestServer, type TestServer } from '../support/test-server.js';

type Reply = Record<string, any>;

describe('intent in turns', () => {
  let asking: TestServer;
  let judging: TestServer;
  before(async () => {
    asking = await startTestServer({ intent: { ...demoConfig.intent!, whenUnsure: { action: 'ask' }, outOfScope: { ...demoConfig.intent!.outOfScope, action: 'refuse', message: 'Sorry, only shop questions here.' } } });
    // Rules and an LLM judge only: whatever the rules do not know goes to the model.
    judging = await startTestServer({ intent: { defaultAgent: 'shopping-advice', tiers: { followUp: false, llm: { route: 'demo', threshold: 0.5 } } } });
  });
  after(async () => {
    await asking.close();
    await judging.close();
  });

  async function turn(server: TestServer, session: string, content: string, stream = false): Promise<Response> {
    return fetch(`${server.url}/v1/sessions/${session}/messages`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ content, stream }) });
  }
  async function session(server: TestServer): Promise<string> {
    const response = await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: authHeaders(server.key), body: '{}' });
    return ((await response.json()) as { id: string }).id;
  }

  it('reports the deciding tier and its confidence in the reply and the intent event', async () => {
    const id = await session(asking);
    const reply = (await (await turn(asking, id, 'Where is my order 48213?')).json()) as Reply;
    assert.equal(reply.intent.tier, 'rules');
    assert.equal(reply.intent.source, 'rules');
    assert.ok(reply.intent.confidence > 0.5 && reply.intent.confidence <= 1);
    const events = await readSse(await turn(asking, await session(asking), 'the thing I bought never showed up', true));
    const intent = JSON.parse(events[0]!.data);
    assert.equal(events[0]!.event, 'intent');
    assert.equal(intent.agent, 'order-support');
    assert.equal(intent.intent.tier, 'trained');
    assert.ok(intent.intent.confidence > 0 && intent.intent.confidence <= 1);
  });

  it('asks back when no tier is sure, without a model call, and the next message resolves the question', async () => {
    const id = await session(asking);
    const question = (await (await turn(asking, id, 'hmm')).json()) as Reply;
    assert.equal(question.intent.tier, 'ask');
    assert.equal(question.usage.total_tokens, 0);
    assert.equal(question.intent.choices.length, 2);
    assert.match(question.message.content, /^I want to get you to the right place: do you mean 1\) .+ or 2\) .+\?$/);
    const [first] = question.intent.choices as string[];
    const answer = (await (await turn(asking, id, 'the first one')).json()) as Reply;
    assert.deepEqual([answer.agent, answer.intent.tier], [first, 'clarified']);
    assert.ok(answer.usage.total_tokens > 0);
    // Resolved: the session is with that agent again, and an unsure message now stays with it.
    const after = (await (await turn(asking, id, 'hmm')).json()) as Reply;
    assert.deepEqual([after.agent, after.intent.tier], [first, 'follow-up']);
  });

  it('an answer naming a topic resolves the question too', async () => {
    const id = await session(asking);
    const question = (await (await turn(asking, id, 'hmm')).json()) as Reply;
    assert.ok((question.intent.choices as string[]).includes('order-support'));
    const answer = (await (await turn(asking, id, 'it is about a refund')).json()) as Reply;
    assert.deepEqual([answer.agent, answer.intent.tier], ['order-support', 'clarified']);
  });

  it('refuses an out-of-scope message politely when so configured', async () => {
    const reply = (await (await turn(asking, await session(asking), 'What is the weather in Rome tomorrow?')).json()) as Reply;
    assert.equal(reply.message.content, 'Sorry, only shop questions here.');
    assert.equal(reply.intent.name, 'none');
    assert.equal(reply.intent.out_of_scope, true);
    assert.equal(reply.usage.total_tokens, 0);
  });

  it('counts decisions by tier and intent, and times each tier, on /metrics', async () => {
    const metrics = await (await fetch(`${asking.url}/metrics`)).text();
    assert.match(metrics, /switchboard_intent_decisions_total\{tier="rules",intent="order_support"\} [1-9]/);
    assert.match(metrics, /switchboard_intent_decisions_total\{tier="ask",intent="ask"\} [1-9]/);
    assert.match(metrics, /switchboard_intent_decisions_total\{tier="clarified",intent="[a-z_]+"\} [1-9]/);
    assert.match(metrics, /switchboard_intent_tier_duration_seconds_count\{tier="trained"\} [1-9]/);
  });

  it('the LLM tier decides what the rules do not know, and detect-intent\'s timing holds its model call', async () => {
    const reply = (await (await turn(judging, await session(judging), 'I need shopping advice')).json()) as Reply;
    assert.deepEqual([reply.agent, reply.intent.tier, reply.intent.confidence], ['shopping-advice', 'llm', 1]);
    const metrics = await (await fetch(`${judging.url}/metrics`)).text();
    assert.match(metrics, /switchboard_intent_tier_duration_seconds_count\{tier="llm"\} 1\n/);
    const llmSeconds = Number(/switchboard_intent_tier_duration_seconds_sum\{tier="llm"\} ([0-9.e-]+)/.exec(metrics)![1]);
    assert.ok(llmSeconds > 0);
    // The stage's own clock started before the tier's and stopped after it.
    assert.ok(reply.timings['detect-intent'] >= llmSeconds * 1000 * 0.999, `${reply.timings['detect-intent']} ms >= ${llmSeconds * 1000} ms`);
    // Two model calls for this one turn: the judge's and the agent's.
    const calls = [...metrics.matchAll(/switchboard_upstream_duration_seconds_count\{pool="simulator",instance="[^"]+"\} (\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
    assert.equal(calls, 2);
  });

  /** The model calls billed to the server's tenant so far. */
  async function billedRequests(server: TestServer): Promise<number> {
    const usage = (await (await fetch(`${server.url}/v1/usage`, { headers: authHeaders(server.key) })).json()) as { data: { requests: number }[] };
    return usage.data.reduce((sum, row) => sum + row.requests, 0);
  }

  /** Usage is written a tick after each call: waits until `count` are billed (or 5 s pass), then says how many are. */
  async function billedAfter(server: TestServer, count: number): Promise<number> {
    for (let waited = 0; (await billedRequests(server)) < count && waited < 200; waited++) await new Promise((resolve) => setTimeout(resolve, 25));
    return billedRequests(server);
  }

  it("bills the LLM tier's call to the tenant with the agent's", async () => {
    const before = await billedRequests(judging);
    // A message the judge has not seen (its verdicts are cached by text).
    const reply = (await (await turn(judging, await session(judging), 'I would like some shopping advice please')).json()) as Reply;
    assert.equal(reply.intent.tier, 'llm');
    // Both rows, and exactly two.
    assert.equal(await billedAfter(judging, before + 2), before + 2);
  });

  it("bills the embedding tier's call to the tenant with the agent's", async () => {
    // The embedding tier alone: every message is embedded, and its nearest examples decide.
    const embedding = await startTestServer({ intent: { defaultAgent: 'shopping-advice', tiers: { followUp: false, embedding: { route: 'demo', threshold: 0, margin: 0, topK: 3 } } } });
    try {
      const before = await billedRequests(embedding);
      const reply = (await (await turn(embedding, await session(embedding), 'I would like some shopping advice please')).json()) as Reply;
      assert.equal(reply.intent.tier, 'embedding');
      // The message's embedding and the agent's answer; the examples' embeddings were made at start, for no tenant.
      assert.equal(await billedAfter(embedding, before + 2), before + 2);
    } finally {
      await embedding.close();
    }
  });
});
