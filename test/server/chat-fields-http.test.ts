import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCaptureServer, type CaptureServer } from '../models/capture-server.js';
import { authHeaders, startTestServer, type TestServer } from '../support/test-server.js';

interface ErrorBody {
  error: { message: string; type: string; code: string; param: string | null };
}

/**
 * The chat endpoint's fields over HTTP: what it passes on to an OpenAI-format pool, what it refuses by name before
 * any upstream call (a field an Anthropic pool on the route cannot honour, a part it cannot carry, a malformed tool
 * turn), and tool calls in a whole answer. The pools are real HTTP servers that record what reached them.
 */
describe('chat completion fields over HTTP', () => {
  let server: TestServer;
  let openAiUpstream: CaptureServer;
  let anthropicUpstream: CaptureServer;
  before(async () => {
    openAiUpstream = await startCaptureServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          choices: [
            {
              message: { content: 'Looking.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{"id":"7"}' } }] },
              logprobs: { content: [{ token: 'Looking', logprob: -0.2, bytes: null, top_logprobs: [] }] },
              finish_reason: 'tool_calls',
            },
          ],
          usage: { prompt_tokens: 10, completion_tokens: 5 },
        }),
      );
    });
    anthropicUpstream = await startCaptureServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage: { input_tokens: 3, output_tokens: 1 } }));
    });
    server = await startTestServer({
      pools: {
        simulator: { model: 'sim', instances: [{ url: 'simulator://0' }] },
        captured: { provider: 'openai', model: 'up-gpt', instances: [{ url: openAiUpstream.url }] },
        claude: { provider: 'anthropic', model: 'up-claude', instances: [{ url: anthropicUpstream.url }] },
      },
      routes: {
        demo: { pool: 'simulator' },
        gpt: { pool: 'captured' },
        claude: { pool: 'claude' },
        'gpt-then-claude': { pool: 'captured', fallbacks: ['claude'] },
      },
    });
  });
  after(async () => {
    await server.close();
    await openAiUpstream.close();
    await anthropicUpstream.close();
  });

  const post = (body: unknown) => fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify(body) });

  async function refused(body: unknown, param: string, pattern: RegExp): Promise<void> {
    const before = openAiUpstream.requests.length + anthropicUpstream.requests.length;
    const response = await post(body);
    const error = (await response.json()) as ErrorBody;
    assert.equal(response.status, 400, JSON.stringify(error));
    assert.equal(error.error.code, 'invalid_request');
    assert.equal(error.error.param, param);
    assert.match(error.error.message, pattern);
    assert.doesNotMatch(error.error.message, /^Invalid input$/);
    assert.equal(openAiUpstream.requests.length + anthropicUpstream.requests.length, before, 'nothing reached an upstream');
  }

  const user = [{ role: 'user', content: 'Where is order 7?' }];
  const tools = [{ type: 'function', function: { name: 'lookup_order', description: 'Look up an order', parameters: { type: 'object', properties: { id: { type: 'string' } } } } }];

  it('passes every field on to an OpenAI-format pool, unknown ones as they came, and returns tool calls and logprobs whole', async () => {
    const response = await post({
      model: 'gpt',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        ...user,
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'lookup_order', arguments: '{"id":"6"}' } }] },
        { role: 'tool', tool_call_id: 'call_0', content: 'delivered' },
      ],
      tools,
      tool_choice: 'required',
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
      seed: 3,
      n: 1,
      user: 'end-user-1',
      logprobs: true,
      top_logprobs: 2,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      logit_bias: { '42': 5 },
      metadata: { ticket: 'T-1' },
      stop: 'END',
      top_k: 40,
      functions: null,
    });
    assert.equal(response.status, 200);
    const reply = (await response.json()) as { choices: { message: Record<string, unknown>; logprobs: unknown; finish_reason: string }[] };
    assert.deepEqual(reply.choices[0], {
      index: 0,
      message: { role: 'assistant', content: 'Looking.', refusal: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{"id":"7"}' } }] },
      logprobs: { content: [{ token: 'Looking', logprob: -0.2, bytes: null, top_logprobs: [] }] },
      finish_reason: 'tool_calls',
    });
    const sent = openAiUpstream.requests.at(-1)!.body as Record<string, unknown>;
    assert.deepEqual(sent, {
      top_k: 40,
      model: 'up-gpt',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Where is order 7?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'lookup_order', arguments: '{"id":"6"}' } }] },
        { role: 'tool', content: 'delivered', tool_call_id: 'call_0' },
      ],
      stream: false,
      stop: ['END'],
      tools,
      tool_choice: 'required',
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
      seed: 3,
      n: 1,
      user: 'end-user-1',
      logprobs: true,
      top_logprobs: 2,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      logit_bias: { '42': 5 },
      metadata: { ticket: 'T-1' },
    });
  });

  it('maps what Anthropic can take: tools, tool choice, parallel off, user as metadata.user_id', async () => {
    const response = await post({ model: 'claude', messages: user, tools, tool_choice: { type: 'function', function: { name: 'lookup_order' } }, parallel_tool_calls: false, user: 'u-9' });
    assert.equal(response.status, 200);
    const sent = anthropicUpstream.requests.at(-1)!.body as Record<string, unknown>;
    assert.deepEqual(sent.tools, [{ name: 'lookup_order', input_schema: tools[0]!.function.parameters, description: 'Look up an order' }]);
    assert.deepEqual(sent.tool_choice, { type: 'tool', name: 'lookup_order', disable_parallel_tool_use: true });
    assert.deepEqual(sent.metadata, { user_id: 'u-9' });
  });

  it('refuses by name a field an Anthropic pool of the route cannot honour, fallbacks included, before calling anything', async () => {
    await refused({ model: 'claude', messages: user, seed: 1 }, 'seed', /pool "claude".*Anthropic.*no seed/);
    await refused({ model: 'claude', messages: user, logprobs: true }, 'logprobs', /log probabilities/);
    await refused({ model: 'claude', messages: user, presence_penalty: 0.5 }, 'presence_penalty', /penalties/);
    await refused({ model: 'claude', messages: user, logit_bias: { '1': 1 } }, 'logit_bias', /logit bias/);
    await refused({ model: 'claude', messages: user, metadata: { a: 'b' } }, 'metadata', /user_id/);
    await refused({ model: 'claude', messages: user, response_format: { type: 'json_object' } }, 'response_format', /JSON mode/);
    await refused({ model: 'claude', messages: user, top_k: 5 }, 'top_k', /not a field Switchboard maps/);
    await refused({ model: 'claude', messages: user, tools: [{ type: 'function', function: { name: 'a', strict: true } }] }, 'tools.0.function.strict', /strict/);
    await refused({ model: 'gpt-then-claude', messages: user, frequency_penalty: 1 }, 'frequency_penalty', /route "gpt-then-claude".*pool "claude"/);
    // Streamed, the refusal still comes before the stream starts, with its status.
    await refused({ model: 'claude', messages: user, seed: 1, stream: true }, 'seed', /no seed/);
  });

  it('refuses what no route can relay, and malformed tool turns, naming the field', async () => {
    await refused(
      { model: 'gpt', messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] },
      'messages.0.content.1.type',
      /"image_url" part cannot be carried.*text parts only/,
    );
    await refused({ model: 'gpt', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }] }, 'messages.0.content.0.type', /"input_audio" part/);
    await refused({ model: 'gpt', messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'f' } }] }] }, 'messages.0.content.0.type', /"file" part/);
    await refused({ model: 'gpt', messages: [{ role: 'user' }] }, 'messages.0.content', /content is required/);
    await refused({ model: 'gpt', messages: user, n: 2 }, 'n', /only n = 1/);
    await refused({ model: 'gpt', messages: user, logprobs: true, stream: true }, 'logprobs', /non-streamed/);
    await refused({ model: 'gpt', messages: [...user, { role: 'tool', content: 'x' }] }, 'messages.1.tool_call_id', /tool_call_id/);
    await refused({ model: 'gpt', messages: [{ role: 'user', content: 'x', tool_calls: [] }] }, 'messages.0.tool_calls', /only assistant/);
    await refused({ model: 'gpt', messages: user, tool_choice: 'required' }, 'tool_choice', /only allowed when tools/);
    await refused({ model: 'gpt', messages: user, tools, tool_choice: { type: 'function', function: { name: 'other' } } }, 'tool_choice.function.name', /"other", which is not in tools/);
    await refused({ model: 'gpt', messages: user, tools: [{ type: 'function', function: { name: 'bad name' } }] }, 'tools.0.function.name', /letters, digits/);
  });

  it('still takes text parts, joined, and an assistant turn of tool calls without content', async () => {
    const response = await post({
      model: 'gpt',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hello ' }, { type: 'text', text: 'there' }] },
        { role: 'assistant', tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'lookup_order', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_0', content: [{ type: 'text', text: 'none' }] },
      ],
      tools,
    });
    assert.equal(response.status, 200);
    const sent = (openAiUpstream.requests.at(-1)!.body as { messages: unknown[] }).messages;
    assert.deepEqual(sent, [
      { role: 'user', content: 'Hello there' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'lookup_order', arguments: '{}' } }] },
      { role: 'tool', content: 'none', tool_call_id: 'call_0' },
    ]);
  });
});
