import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import OpenAI from 'openai';
import { demoConfig } from '../../src/config/demo-config.js';
import { demoOrder } from '../../src/lab/demo-order-service.js';
import { MemoryRetriever } from '../support/memory-retriever.js';
import { authHeaders, startTestServer, type TestServer } from '../support/test-server.js';

/**
 * The demo shop through the official openai client: `model: "agent:…"` runs the agent — the
 * order lookup's HTTP tool, the catalogue's retrieval — and answers in OpenAI's format, streamed
 * and not; nothing is stored, and fields an agent decides itself are refused by name.
 */

interface AgentExtras {
  agent: string;
  intent: { name: string; tier: string };
  steps: number;
  tool_calls: { name: string; arguments: string; ok: boolean; summary: string }[];
  citations: { document_id: string; chunk_id: string }[];
}

const catalogue = new MemoryRetriever([
  { documentId: 'sku-1004', chunkId: 'sku-1004#0', title: 'Road Runner 3 Trail', text: 'Road Runner 3 Trail running shoes: grippy lugs, 290 g, 139 EUR.' },
  { documentId: 'sku-1003', chunkId: 'sku-1003#0', title: 'Road Runner 3', text: 'Road Runner 3 running shoes for asphalt, cushioned, 129 EUR.' },
]);

describe('agents through /v1/chat/completions with the official openai client', () => {
  let server: TestServer;
  let client: OpenAI;
  before(async () => {
    server = await startTestServer(
      { agents: demoConfig.agents, knowledge: { catalogue: { kind: 'http', url: 'http://127.0.0.1:9/search' } } },
      { retrievers: new Map([['catalogue', catalogue]]) },
    );
    client = new OpenAI({ apiKey: server.key, baseURL: `${server.url}/v1`, maxRetries: 0 });
  });
  after(() => server.close());

  it('lists the agents as models next to the routes, and retrieves one', async () => {
    const ids = (await client.models.list()).data.map((model) => model.id);
    assert.ok(ids.includes('demo'));
    for (const id of ['agent:auto', 'agent:order-support', 'agent:shopping-advice']) assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
    assert.equal((await client.models.retrieve('agent:order-support')).id, 'agent:order-support');
  });

  it('looks the order up with the agent tool and answers from the result, not streamed; nothing is stored', async () => {
    const rows = () => {
      const db = new Database(join(server.dataDir, 'switchboard.db'), { readonly: true });
      try {
        return db.prepare('SELECT (SELECT COUNT(*) FROM sessions) + (SELECT COUNT(*) FROM messages) AS n').get() as { n: number };
      } finally {
        db.close();
      }
    };
    const storedBefore = rows().n;
    const completion = await client.chat.completions.create({ model: 'agent:auto', messages: [{ role: 'user', content: 'Where is my order 48213?' }] });
    const extras = (completion as unknown as { switchboard: AgentExtras }).switchboard;
    assert.equal(extras.agent, 'order-support');
    assert.equal(extras.steps, 2);
    assert.equal(extras.tool_calls[0]!.name, 'lookup_order');
    assert.deepEqual(JSON.parse(extras.tool_calls[0]!.arguments), { order_id: '48213' });
    const order = demoOrder('48213')!;
    assert.deepEqual(JSON.parse(extras.tool_calls[0]!.summary), order);
    const choice = completion.choices[0]!;
    assert.equal(choice.finish_reason, 'stop');
    assert.ok(choice.message.content!.includes(String(order.status)), choice.message.content!);
    assert.equal(completion.model, 'agent:auto');
    assert.ok(completion.usage!.prompt_tokens > 0 && completion.usage!.completion_tokens > 0);
    assert.equal(rows().n, storedBefore, 'no session or message was written');
  });

  it('answers shopping questions from the catalogue and cites the passages; the history the client sends reaches the model', async () => {
    const content = 'Can you recommend running shoes?';
    const history: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: 'Hi! How can I help?' },
    ];
    const completion = await client.chat.completions.create({ model: 'agent:shopping-advice', messages: [...history, { role: 'user', content }] });
    const extras = (completion as unknown as { switchboard: AgentExtras }).switchboard;
    assert.equal(extras.agent, 'shopping-advice');
    assert.equal(extras.intent.tier, 'explicit');
    const passages = await catalogue.search({ kb: 'catalogue', text: content, topK: 3 });
    assert.deepEqual(extras.citations, passages.map((passage) => ({ document_id: passage.documentId, chunk_id: passage.chunkId })));
    assert.deepEqual(catalogue.queries.at(-1), { kb: 'catalogue', text: content, topK: 3 });
    // Same question without the history: the simulator counts the prompt's characters, so the history's are the difference.
    const alone = await client.chat.completions.create({ model: 'agent:shopping-advice', messages: [{ role: 'user', content }] });
    const historyChars = history.reduce((sum, message) => sum + String(message.content).length, 0);
    assert.ok(completion.usage!.prompt_tokens - alone.usage!.prompt_tokens >= Math.floor(historyChars / 4) - 1, `${completion.usage!.prompt_tokens} vs ${alone.usage!.prompt_tokens}`);
  });

  it('streams the agent answer as content deltas, naming the agent and intent in the headers', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'agent:auto', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Where is my order 77120?' }] })
      .withResponse();
    assert.equal(response.headers.get('x-switchboard-agent'), 'order-support');
    assert.ok(response.headers.get('x-switchboard-intent'));
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(finish, 'stop');
    assert.ok(text.includes(String(demoOrder('77120')!.status)), text);
    assert.ok(usage && usage.total_tokens > 0);
  });

  it('refuses by name the fields an agent decides itself, an unknown agent, and a last message that is not the user\'s', async () => {
    const post = (body: Record<string, unknown>) => fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify(body) });
    const user = [{ role: 'user', content: 'Where is my order 1?' }];
    for (const [field, value] of [
      ['tools', [{ type: 'function', function: { name: 'x' } }]],
      ['temperature', 0.2],
      ['response_format', { type: 'json_object' }],
      ['top_k', 5],
    ] as const) {
      const response = await post({ model: 'agent:order-support', messages: user, [field]: value });
      assert.equal(response.status, 400, field);
      const { error } = (await response.json()) as { error: { code: string; param: string; message: string } };
      assert.equal(error.param, field);
      assert.match(error.message, new RegExp(`"${field}"`));
    }
    const unknown = await post({ model: 'agent:concierg', messages: user });
    assert.equal(unknown.status, 404);
    const unknownError = ((await unknown.json()) as { error: { code: string; message: string } }).error;
    assert.equal(unknownError.code, 'model_not_found');
    assert.match(unknownError.message, /agent:order-support/);
    const lastAssistant = await post({ model: 'agent:auto', messages: [...user, { role: 'assistant', content: 'hm' }] });
    assert.equal(lastAssistant.status, 400);
    assert.equal(((await lastAssistant.json()) as { error: { param: string } }).error.param, 'messages');
  });
});
