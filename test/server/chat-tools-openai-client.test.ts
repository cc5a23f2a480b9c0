import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * The official client's function-calling round trip through a real Switchboard: request with tools → tool call →
 * tool result → final text, streamed and not, over an OpenAI-format pool and an Anthropic-format pool (both the
 * built-in simulator, which speaks each dialect on its own path).
 */

const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'lookup_order',
      description: 'Look up the status of an order by its id',
      parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'], additionalProperties: false },
    },
  },
  {
    type: 'function',
    function: { name: 'search_catalogue', description: 'Search products in the catalogue', parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } },
  },
];

const question: OpenAI.Chat.Completions.ChatCompletionMessageParam = { role: 'user', content: 'Where is my order 48213?' };
const orderResult = '{"status":"shipped","carrier":"DHL"}';

/** Collects a streamed completion as the client's own accumulation would: calls by index, arguments joined in order. */
async function collect(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
  let text = '';
  let finish: string | null = null;
  let usage: OpenAI.CompletionUsage | undefined;
  const calls: { id: string; name: string; arguments: string }[] = [];
  const indices: number[] = [];
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    text += choice.delta.content ?? '';
    for (const piece of choice.delta.tool_calls ?? []) {
      indices.push(piece.index);
      if (piece.id !== undefined) {
        assert.equal(piece.index, calls.length, 'a new call opens at the next index');
        assert.equal(piece.type, 'function');
        calls.push({ id: piece.id, name: piece.function?.name ?? '', arguments: '' });
      }
      calls[piece.index]!.arguments += piece.function?.arguments ?? '';
    }
    finish = choice.finish_reason ?? finish;
  }
  return { text, finish, usage, calls, indices };
}

for (const route of ['gpt', 'claude'] as const) {
  describe(`function calling with the official openai client through route "${route}" (${route === 'gpt' ? 'OpenAI' : 'Anthropic'} format)`, () => {
    let server: TestServer;
    let client: OpenAI;
    before(async () => {
      server = await startTestServer({
        pools: {
          gpt: { provider: 'openai', model: 'sim-gpt', instances: [{ url: 'simulator://0' }] },
          claude: { provider: 'anthropic', model: 'sim-claude', instances: [{ url: 'simulator://1' }] },
        },
        routes: { demo: { pool: 'gpt' }, gpt: { pool: 'gpt' }, claude: { pool: 'claude' } },
      });
      client = new OpenAI({ apiKey: server.key, baseURL: `${server.url}/v1`, maxRetries: 0 });
    });
    after(() => server.close());

    it('round trip, not streamed: the call comes back intact, the result goes back, the answer uses it', async () => {
      const first = await client.chat.completions.create({ model: route, messages: [question], tools, tool_choice: 'auto' });
      const choice = first.choices[0]!;
      assert.equal(choice.finish_reason, 'tool_calls');
      assert.equal(choice.message.content, null);
      const calls = choice.message.tool_calls ?? [];
      assert.equal(calls.length, 1);
      const call = calls[0]!;
      assert.equal(call.type, 'function');
      assert.ok(call.type === 'function');
      assert.equal(call.function.name, 'lookup_order');
      assert.match(call.id, route === 'gpt' ? /^call_/ : /^toolu_/);
      assert.deepEqual(JSON.parse(call.function.arguments), { order_id: '48213' });
      assert.ok((first.usage?.completion_tokens ?? 0) > 0);

      const second = await client.chat.completions.create({
        model: route,
        tools,
        messages: [question, choice.message, { role: 'tool', tool_call_id: call.id, content: orderResult }],
      });
      const answer = second.choices[0]!;
      assert.equal(answer.finish_reason, 'stop');
      assert.equal(answer.message.tool_calls, undefined);
      assert.match(answer.message.content ?? '', /lookup_order/);
      assert.match(answer.message.content ?? '', /shipped/);
    });

    it('round trip, streamed: argument pieces in order at their index, then the text answer, with usage', async () => {
      const first = await collect(
        await client.chat.completions.create({ model: route, messages: [question], tools, stream: true, stream_options: { include_usage: true } }),
      );
      assert.equal(first.finish, 'tool_calls');
      assert.equal(first.text, '');
      assert.equal(first.calls.length, 1);
      assert.ok(first.indices.length > 2, 'the arguments arrive in pieces');
      assert.ok(first.indices.every((index) => index === 0));
      assert.equal(first.calls[0]!.name, 'lookup_order');
      assert.deepEqual(JSON.parse(first.calls[0]!.arguments), { order_id: '48213' });
      assert.ok((first.usage?.completion_tokens ?? 0) > 0);

      const call = first.calls[0]!;
      const second = await collect(
        await client.chat.completions.create({
          model: route,
          tools,
          stream: true,
          messages: [
            question,
            { role: 'assistant', content: null, tool_calls: [{ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }] },
            { role: 'tool', tool_call_id: call.id, content: orderResult },
          ],
        }),
      );
      assert.equal(second.finish, 'stop');
      assert.equal(second.calls.length, 0);
      assert.match(second.text, /lookup_order/);
      assert.match(second.text, /shipped/);
    });

    it("the client's own stream helper assembles the streamed call into the same message as the whole answer", async () => {
      const whole = await client.chat.completions.create({ model: route, messages: [question], tools });
      const assembled = await client.chat.completions.stream({ model: route, messages: [question], tools }).finalChatCompletion();
      const message = assembled.choices[0]!.message;
      assert.equal(assembled.choices[0]!.finish_reason, 'tool_calls');
      const strip = (calls: OpenAI.Chat.Completions.ChatCompletionMessageToolCall[] | undefined) => calls?.map((call) => (call.type === 'function' ? { type: call.type, name: call.function.name, arguments: JSON.parse(call.function.arguments) as unknown } : call));
      assert.deepEqual(strip(message.tool_calls), strip(whole.choices[0]!.message.tool_calls));
    });

    it('parallel calls keep their indices, streamed and not, and their results go back together', async () => {
      const ask: OpenAI.Chat.Completions.ChatCompletionMessageParam = { role: 'user', content: 'Where is my order 48213, and search the catalogue for running shoes' };
      const whole = await client.chat.completions.create({ model: route, messages: [ask], tools });
      const calls = whole.choices[0]!.message.tool_calls ?? [];
      assert.deepEqual(
        calls.map((call) => (call.type === 'function' ? call.function.name : call.type)),
        ['lookup_order', 'search_catalogue'],
      );
      const streamed = await collect(await client.chat.completions.create({ model: route, messages: [ask], tools, stream: true }));
      assert.deepEqual(
        streamed.calls.map((call) => call.name),
        ['lookup_order', 'search_catalogue'],
      );
      assert.deepEqual(
        streamed.calls.map((call) => JSON.parse(call.arguments) as unknown),
        calls.map((call) => (call.type === 'function' ? (JSON.parse(call.function.arguments) as unknown) : undefined)),
      );
      // Indices only go up: call 1 begins after call 0's last piece.
      assert.deepEqual([...streamed.indices].sort(), streamed.indices);

      const answer = await client.chat.completions.create({
        model: route,
        tools,
        messages: [
          ask,
          whole.choices[0]!.message,
          { role: 'tool', tool_call_id: calls[0]!.id, content: orderResult },
          { role: 'tool', tool_call_id: calls[1]!.id, content: '{"items":["Trail Runner 2"]}' },
        ],
      });
      const text = answer.choices[0]!.message.content ?? '';
      assert.match(text, /shipped/);
      assert.match(text, /Trail Runner 2/);
    });

    it('tool_choice names the function to call; "none" answers in text', async () => {
      const named = await client.chat.completions.create({
        model: route,
        messages: [{ role: 'user', content: 'Hello' }],
        tools,
        tool_choice: { type: 'function', function: { name: 'search_catalogue' } },
      });
      const calls = named.choices[0]!.message.tool_calls ?? [];
      assert.equal(calls.length, 1);
      assert.ok(calls[0]!.type === 'function' && calls[0]!.function.name === 'search_catalogue');
      const none = await client.chat.completions.create({ model: route, messages: [question], tools, tool_choice: 'none', max_tokens: 4 });
      assert.equal(none.choices[0]!.message.tool_calls, undefined);
      assert.match(none.choices[0]!.message.content ?? '', /^\[simulated\]/);
    });
  });
}
