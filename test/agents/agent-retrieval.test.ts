import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { promptWithPassages } from '../../src/agents/retrieval-tools.js';
import { demoConfig } from '../../src/config/demo-config.js';
import { MemoryRetriever } from '../support/memory-retriever.js';
import { authHeaders, startTestServer, type TestServer } from '../support/test-server.js';

interface Reply {
  message: { content: string };
  usage: { prompt_tokens: number };
  tool_calls: { name: string; arguments: string; ok: boolean; summary: string }[];
  citations: { document_id: string; chunk_id: string }[];
  timings: Record<string, number>;
}

const catalogue = new MemoryRetriever([
  { documentId: 'catalogue/trail-runner-2', chunkId: 'c0', title: 'Trail Runner 2', text: 'Trail Runner 2 running shoes: grippy sole, 280 g, 129 EUR.' },
  { documentId: 'catalogue/road-glide', chunkId: 'c0', title: 'Road Glide', text: 'Road Glide running shoes for asphalt, cushioned, 119 EUR.' },
  { documentId: 'catalogue/rain-jacket', chunkId: 'c1', text: 'Rain jacket, taped seams, 89 EUR.' },
]);
const faq = new MemoryRetriever([
  { documentId: 'faq/returns', chunkId: 'c0', text: 'Returns are free within 30 days; the return policy covers unworn items.' },
  { documentId: 'faq/shipping', chunkId: 'c2', text: 'Shipping takes 2-4 days in the EU.' },
]);

describe('agents with retrieval', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(
      {
        agents: {
          ...demoConfig.agents,
          helpdesk: { route: 'demo', description: 'Answers questions from the FAQ.', retrieval: { kb: 'faq', topK: 2, mode: 'tool' } },
        },
        // Declared, as every knowledge base an agent names must be; the retrievers passed in below take their place.
        knowledge: { catalogue: { kind: 'http', url: 'http://127.0.0.1:9/search' }, faq: { kind: 'http', url: 'http://127.0.0.1:9/search' } },
      },
      { retrievers: new Map([['catalogue', catalogue], ['faq', faq]]) },
    );
  });
  after(() => server.close());

  async function turn(content: string, agent: string): Promise<Reply> {
    const created = await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: authHeaders(server.key) });
    const { id } = (await created.json()) as { id: string };
    const response = await fetch(`${server.url}/v1/sessions/${id}/messages`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ content, agent }) });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as Reply;
  }

  it('puts the passages in the prompt (prompt mode) and the reply cites them by document and chunk', async () => {
    const content = 'Can you recommend running shoes?';
    const reply = await turn(content, 'shopping-advice');
    assert.deepEqual(catalogue.queries.at(-1), { kb: 'catalogue', text: content, topK: 3 });
    const passages = await catalogue.search({ kb: 'catalogue', text: content, topK: 3 });
    assert.deepEqual(reply.citations, passages.map((passage) => ({ document_id: passage.documentId, chunk_id: passage.chunkId })));
    assert.equal(reply.citations[0]!.document_id, 'catalogue/trail-runner-2');
    // The simulator counts ceil(characters / 4) over what it received: exactly the prompt with the passages and the message.
    const prompt = promptWithPassages(demoConfig.agents['shopping-advice']!.systemPrompt!, 'catalogue', passages);
    assert.equal(reply.usage.prompt_tokens, Math.ceil((prompt + content).length / 4));
    assert.equal(typeof reply.timings.retrieval, 'number');
  });

  it('offers a search_<kb> tool (tool mode); the passages it found are the citations', async () => {
    const reply = await turn('Search the faq: what is the return policy?', 'helpdesk');
    assert.equal(reply.tool_calls.length, 1);
    assert.equal(reply.tool_calls[0]!.name, 'search_faq');
    assert.equal(reply.tool_calls[0]!.ok, true);
    const query = faq.queries.at(-1)!;
    assert.equal(query.kb, 'faq');
    assert.equal(query.topK, 2);
    assert.equal(query.text, JSON.parse(reply.tool_calls[0]!.arguments).query);
    assert.equal(query.text, 'Search the faq: what is the return policy?');
    // The in-memory retriever ranks by shared words: the returns passage first, the shipping one shares only "the".
    assert.deepEqual(reply.citations, [
      { document_id: 'faq/returns', chunk_id: 'c0' },
      { document_id: 'faq/shipping', chunk_id: 'c2' },
    ]);
    assert.match(reply.tool_calls[0]!.summary, /^\[faq\/returns#c0\] Returns are free/);
    // The answer uses the result, ids and all, so the client can link the passage.
    assert.ok(reply.message.content.includes('[faq/returns#c0]'), reply.message.content);
  });
});
