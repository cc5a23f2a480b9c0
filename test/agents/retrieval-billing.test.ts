/** A retrieval's query embedding is a model call like any other: the turn's tenant pays for it, in prompt mode and from the search tool. */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { authHeaders, startTestServer, testConfig, type TestServer } from '../support/test-server.js';

interface UsageRow {
  requests: number;
  prompt_tokens: number;
}

describe('billing a retrieval embedding', () => {
  const sources = mkdtempSync(join(tmpdir(), 'switchboard-billing-kb-'));
  let server: TestServer;
  before(async () => {
    writeFileSync(join(sources, 'returns.md'), '# Returns\n\nReturns are free within 30 days for unworn items.\n');
    writeFileSync(join(sources, 'shipping.md'), '# Shipping\n\nShipping takes 2-4 days in the EU.\n');
    server = await startTestServer({
      knowledge: { faq: { kind: 'embedded', embeddingsRoute: 'demo', sources: [sources] } },
      agents: {
        // The demo's agents without their retrieval (the intent settings name them), and two that search the FAQ.
        ...testConfig().agents,
        'faq-prompt': { route: 'demo', description: 'Answers from the FAQ in its prompt.', retrieval: { kb: 'faq', topK: 2, mode: 'prompt' } },
        'faq-tool': { route: 'demo', description: 'Searches the FAQ with a tool.', retrieval: { kb: 'faq', topK: 2, mode: 'tool' } },
      },
    });
  });
  after(async () => {
    await server.close();
    rmSync(sources, { recursive: true, force: true });
  });

  async function requestsBilled(): Promise<number> {
    const body = (await (await fetch(`${server.url}/v1/usage`, { headers: authHeaders(server.key) })).json()) as { data: UsageRow[] };
    return body.data.reduce((sum, row) => sum + row.requests, 0);
  }

  /** Ledger writes are not awaited by the turn that makes them: waits until the count stops at `count` or passes it. */
  async function settled(count: number): Promise<number> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const requests = await requestsBilled();
      if (requests >= count || Date.now() > deadline) return requests;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function turn(agent: string, content: string): Promise<{ tool_calls: { name: string }[]; citations: unknown[] }> {
    const { id } = (await (await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: authHeaders(server.key) })).json()) as { id: string };
    const response = await fetch(`${server.url}/v1/sessions/${id}/messages`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ content, agent }) });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as { tool_calls: { name: string }[]; citations: unknown[] };
  }

  it('bills the embedding of a prompt-mode search and of a search tool call to the turn\'s tenant', async () => {
    const before = await requestsBilled();
    const prompted = await turn('faq-prompt', 'How long does shipping take?');
    assert.ok(prompted.citations.length > 0, 'the passages were found and cited');
    // One embedding of the question, one model call for the answer.
    assert.equal(await settled(before + 2), before + 2);

    const searched = await turn('faq-tool', 'Search the faq: what is the return policy?');
    assert.deepEqual(searched.tool_calls.map((call) => call.name), ['search_faq']);
    // The call that asks for the search, the search's embedding, the answer after its result.
    assert.equal(await settled(before + 5), before + 5);
  });
});
