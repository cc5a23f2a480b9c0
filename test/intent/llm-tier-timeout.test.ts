/** The LLM tier against a backend that never answers: its timeout makes it "no opinion", while the turn's own cancellation still rejects. */

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../src/config/load-config.js';
import { LlmIntentClassifier } from '../../src/intent/llm-intent-classifier.js';
import { ModelRouter } from '../../src/models/model-router.js';

let server: Server;
let router: ModelRouter;
const agents = [{ name: 'order-support', intent: 'order_support', description: 'Orders' }];

before(async () => {
  // Takes the request and never answers.
  server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = parseConfig({
    pools: { silent: { provider: 'openai', model: 'm', instances: [{ url }], retry: { attempts: 1 } } },
    routes: { judge: { pool: 'silent' } },
    agents: { 'order-support': { route: 'judge' } },
    intent: { defaultAgent: 'order-support' },
    logging: { level: 'silent' },
  });
  router = new ModelRouter(config, (address) => address);
});
after(async () => {
  await router.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('LLM tier timeout', () => {
  it('has no opinion when the judge does not answer within timeoutMs, and says so', async () => {
    const failures: unknown[] = [];
    const llm = new LlmIntentClassifier(agents, { router, route: 'judge', timeoutMs: 50, cacheSize: 10, maxTokens: 16, onFailure: (error) => failures.push(error) });
    const result = await llm.classify({ text: 'where is my order' }, new AbortController().signal);
    assert.deepEqual([result.agent, result.confidence, result.source], ['none', 0, 'llm']);
    assert.equal(failures.length, 1);
    // Nothing is cached from a failure: the next message asks again.
    assert.equal(llm.cached, 0);
  });

  it('rejects when the turn itself is cancelled during the call', async () => {
    const llm = new LlmIntentClassifier(agents, { router, route: 'judge', timeoutMs: 60_000, cacheSize: 10, maxTokens: 16 });
    const controller = new AbortController();
    const pending = llm.classify({ text: 'where is my order' }, controller.signal);
    controller.abort(new DOMException('the client went away', 'AbortError'));
    await assert.rejects(pending, { name: 'AbortError' });
  });
});
