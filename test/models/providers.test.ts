import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startLlmSimulator, type LlmSimulator } from '../../src/lab/llm-simulator.js';
import type { ChatCallRequest, ChatStreamPart } from '../../src/chat/chat-types.js';
import { AnthropicProvider, toAnthropicMessages } from '../../src/models/providers/anthropic-provider.js';
import { OpenAiCompatibleProvider } from '../../src/models/providers/openai-compatible-provider.js';
import type { ChatProvider } from '../../src/models/providers/chat-provider.js';
import { isUpstreamError, UpstreamError } from '../../src/models/upstream-error.js';
import { startCaptureServer, writeSse } from './capture-server.js';

const conversation: ChatCallRequest = {
  model: 'claude-sim',
  messages: [
    { role: 'system', content: 'You are the order support agent.' },
    { role: 'user', content: 'Where is my order 123?' },
    { role: 'assistant', content: 'Let me check.' },
    { role: 'user', content: 'Thanks, and when does it arrive?' },
  ],
  maxTokens: 16,
};
const promptCharacters = conversation.messages.reduce((sum, message) => sum + message.content.length, 0);

async function collect(parts: AsyncIterable<ChatStreamPart>): Promise<{ text: string; finish: ChatStreamPart | undefined }> {
  let text = '';
  let finish: ChatStreamPart | undefined;
  for await (const part of parts) {
    if (part.type === 'text-delta') text += part.text;
    else finish = part;
  }
  return { text, finish };
}

describe('Anthropic provider against the simulator over a real socket', () => {
  let simulator: LlmSimulator;
  let provider: AnthropicProvider;
  before(async () => {
    simulator = await startLlmSimulator({ ttftMs: 10, itlMs: 1, outputTokens: 24, seed: 5 });
    provider = new AnthropicProvider({ baseUrl: simulator.url, apiKey: 'sk-ant-test' });
  });
  after(async () => {
    await provider.close();
    await simulator.close();
  });

  it('sends the system prompt apart and maps a whole answer and its usage', async () => {
    const result = await provider.call(conversation, AbortSignal.timeout(5_000));
    assert.match(result.text, /^\[simulated\]/);
    // The simulator refuses a `system` role inside messages, and counts the top-level system prompt in the input.
    assert.equal(result.usage.promptTokens, Math.ceil(promptCharacters / 4));
    assert.equal(result.usage.completionTokens, 16);
    assert.equal(result.finishReason, 'length', 'max_tokens below the natural length stops at max_tokens');
  });

  it('streams text deltas and one finish with the usage from message_start and message_delta', async () => {
    const { text, finish } = await collect(await provider.stream({ ...conversation, maxTokens: 100 }, AbortSignal.timeout(5_000)));
    assert.match(text, /^\[simulated\]/);
    // The model comes from message_start: what the backend says answered.
    assert.deepEqual(finish, { type: 'finish', finishReason: 'stop', usage: { promptTokens: Math.ceil(promptCharacters / 4), completionTokens: 24 }, model: 'claude-sim' });
  });

  it('turns an error answer into a retryable UpstreamError with Retry-After', async () => {
    simulator.configure({ errorRate: 1 });
    try {
      const errors = await Promise.all(
        Array.from({ length: 6 }, () =>
          provider.call(conversation, AbortSignal.timeout(5_000)).then(
            () => assert.fail('should fail'),
            (error: unknown) => error,
          ),
        ),
      );
      for (const error of errors) {
        assert.ok(isUpstreamError(error));
        assert.ok(error.status === 429 || error.status === 500 || error.status === 503);
        assert.equal(error.retryable, true);
        if (error.status === 429) assert.equal(error.retryAfterMs, 1_000);
      }
    } finally {
      simulator.configure({ errorRate: 0 });
    }
  });

  it('reports a stream cut mid-way as a broken stream after the first text', async () => {
    simulator.configure({ disconnectRate: 1 });
    try {
      const parts = await provider.stream({ ...conversation, maxTokens: 100 }, AbortSignal.timeout(5_000));
      const iterator = parts[Symbol.asyncIterator]();
      const first = await iterator.next();
      assert.equal(first.value?.type, 'text-delta');
      let error: unknown;
      try {
        while (!(await iterator.next()).done);
      } catch (caught) {
        error = caught;
      }
      assert.ok(isUpstreamError(error) && error.kind === 'stream-broken', String(error));
    } finally {
      simulator.configure({ disconnectRate: 0 });
    }
  });
});

describe('Anthropic provider wire details', () => {
  it('maps roles, tool calls and tool results', () => {
    const { system, messages } = toAnthropicMessages([
      { role: 'system', content: 'A' },
      { role: 'system', content: 'B' },
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }] },
      { role: 'tool', content: 'sunny', toolCallId: 'toolu_1' },
    ]);
    assert.equal(system, 'A\n\nB');
    assert.deepEqual(messages, [
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Oslo' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }] },
    ]);
  });

  it('sends the key and version headers, and reads cache tokens, tool use and stop reasons', async () => {
    const server = await startCaptureServer((request, response) => {
      const body = request.body as { stream: boolean };
      if (!body.stream) {
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            content: [{ type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 'toolu_9', name: 'lookup', input: { order: 123 } }],
            stop_reason: 'tool_use',
            usage: { input_tokens: 10, cache_read_input_tokens: 90, cache_creation_input_tokens: 5, output_tokens: 7 },
          }),
        );
        return;
      }
      writeSse(response, [
        { event: 'message_start', data: '{"type":"message_start","message":{"usage":{"input_tokens":12,"output_tokens":1}}}' },
        { event: 'ping', data: '{"type":"ping"}' },
        { event: 'content_block_start', data: '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}' },
        { event: 'content_block_delta', data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}' },
        { event: 'content_block_delta', data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo"}}' },
        { event: 'content_block_stop', data: '{"type":"content_block_stop","index":0}' },
        { event: 'message_delta', data: '{"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":2}}' },
        { event: 'message_stop', data: '{"type":"message_stop"}' },
      ]);
    });
    const provider = new AnthropicProvider({ baseUrl: server.url, apiKey: 'secret', anthropicVersion: '2023-06-01', defaultMaxTokens: 333 });
    try {
      const result = await provider.call({ model: 'claude', messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'hi' }], temperature: 0.7 }, AbortSignal.timeout(5_000));
      assert.equal(result.text, 'Checking.');
      assert.equal(result.finishReason, 'tool_calls');
      assert.deepEqual(result.toolCalls, [{ id: 'toolu_9', type: 'function', function: { name: 'lookup', arguments: '{"order":123}' } }]);
      assert.deepEqual(result.usage, { promptTokens: 105, completionTokens: 7 });
      const sent = server.requests[0]!;
      assert.equal(sent.url, '/v1/messages');
      assert.equal(sent.headers['x-api-key'], 'secret');
      assert.equal(sent.headers['anthropic-version'], '2023-06-01');
      assert.equal(sent.headers.authorization, undefined);
      assert.deepEqual(sent.body, { model: 'claude', max_tokens: 333, messages: [{ role: 'user', content: 'hi' }], stream: false, system: 'S', temperature: 0.7 });

      const streamed = await collect(await provider.stream({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] }, AbortSignal.timeout(5_000)));
      assert.deepEqual(streamed, { text: 'Hello', finish: { type: 'finish', finishReason: 'length', usage: { promptTokens: 12, completionTokens: 2 } } });
    } finally {
      await provider.close();
      await server.close();
    }
  });

  it('makes a mid-stream error event and a stream without message_stop into broken streams', async () => {
    let cut = false;
    const server = await startCaptureServer((_request, response) => {
      const start = { event: 'message_start', data: '{"type":"message_start","message":{"usage":{"input_tokens":3,"output_tokens":1}}}' };
      const delta = { event: 'content_block_delta', data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}' };
      if (cut) writeSse(response, [start, delta]);
      else writeSse(response, [start, delta, { event: 'error', data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' }]);
    });
    const provider = new AnthropicProvider({ baseUrl: server.url });
    try {
      await assert.rejects(collect(await provider.stream({ model: 'c', messages: [{ role: 'user', content: 'x' }] }, AbortSignal.timeout(5_000))), (error: unknown) => isUpstreamError(error) && error.kind === 'stream-broken' && /overloaded_error: Overloaded/.test(error.message));
      cut = true;
      await assert.rejects(collect(await provider.stream({ model: 'c', messages: [{ role: 'user', content: 'x' }] }, AbortSignal.timeout(5_000))), /without message_stop/);
    } finally {
      await provider.close();
      await server.close();
    }
  });
});

describe('OpenAI-compatible provider', () => {
  it('speaks Azure-style: deployment base URL, chat path, api-version query and api-key header', async () => {
    const server = await startCaptureServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ choices: [{ message: { content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 1 } }),
      );
    });
    const provider = new OpenAiCompatibleProvider({
      baseUrl: `${server.url}/openai/deployments/gpt-4o`,
      chatPath: '/chat/completions',
      query: 'api-version=2024-06-01',
      apiKey: 'azure-key',
      apiKeyHeader: 'api-key',
      headers: { 'x-extra': 'yes' },
    });
    try {
      const result = await provider.call({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, AbortSignal.timeout(5_000));
      assert.deepEqual(result, { text: 'ok', finishReason: 'stop', usage: { promptTokens: 3, completionTokens: 1 } });
      const sent = server.requests[0]!;
      assert.equal(sent.url, '/openai/deployments/gpt-4o/chat/completions?api-version=2024-06-01');
      assert.equal(sent.headers['api-key'], 'azure-key');
      assert.equal(sent.headers.authorization, undefined);
      assert.equal(sent.headers['x-extra'], 'yes');
    } finally {
      await provider.close();
      await server.close();
    }
  });

  it('sends a bearer key by default and reads a streamed answer from the simulator', async () => {
    const simulator = await startLlmSimulator({ ttftMs: 5, itlMs: 1, outputTokens: 10, seed: 2 });
    const provider = new OpenAiCompatibleProvider({ baseUrl: simulator.url, apiKey: 'k' });
    try {
      const { text, finish } = await collect(await provider.stream({ model: 'm', messages: [{ role: 'user', content: 'hello there' }] }, AbortSignal.timeout(5_000)));
      assert.match(text, /^\[simulated\]/);
      // The model is read from the last chunk (the one with the usage), which is parsed in full anyway.
      assert.deepEqual(finish, { type: 'finish', finishReason: 'stop', usage: { promptTokens: 3, completionTokens: 10 }, model: 'm' });
    } finally {
      await provider.close();
      await simulator.close();
    }
  });
});

describe('every provider (contract, over a real socket)', () => {
  const adapters: [string, (baseUrl: string) => ChatProvider][] = [
    ['openai-compatible', (baseUrl) => new OpenAiCompatibleProvider({ baseUrl })],
    ['anthropic', (baseUrl) => new AnthropicProvider({ baseUrl })],
  ];
  let simulator: LlmSimulator;
  before(async () => {
    simulator = await startLlmSimulator({ ttftMs: 5, itlMs: 1, outputTokens: 8, seed: 9 });
  });
  after(() => simulator.close());
  const ask: ChatCallRequest = { model: 'm', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello' }], maxTokens: 50 };

  for (const [name, create] of adapters) {
    it(`${name}: a whole answer, a stream ending in exactly one finish, the router's abort reason, and an unreachable backend`, async () => {
      const provider = create(simulator.url);
      try {
        const whole = await provider.call(ask, AbortSignal.timeout(5_000));
        assert.ok(whole.text.length > 0 && whole.usage.completionTokens === 8 && whole.usage.promptTokens > 0);
        const parts: ChatStreamPart[] = [];
        for await (const part of await provider.stream(ask, AbortSignal.timeout(5_000))) parts.push(part);
        assert.equal(parts.filter((part) => part.type === 'finish').length, 1);
        assert.equal(parts.at(-1)!.type, 'finish');
        assert.match(parts.filter((part) => part.type === 'text-delta').map((part) => (part as { text: string }).text).join(''), /^\[simulated\] \S/);

        simulator.configure({ stallMs: 5_000 });
        const controller = new AbortController();
        const reason = new UpstreamError('first-token-timeout', simulator.url, 'router timer');
        setTimeout(() => controller.abort(reason), 50);
        const stalled = provider.stream(ask, controller.signal).then(async (stream) => {
          for await (const _part of stream);
        });
        await assert.rejects(stalled, (error: unknown) => error === reason);
      } finally {
        simulator.configure({ stallMs: 0 });
        await provider.close();
      }
      const unreachable = create('http://127.0.0.1:1');
      try {
        await assert.rejects(unreachable.call(ask, AbortSignal.timeout(5_000)), (error: unknown) => isUpstreamError(error) && error.kind === 'connect' && error.retryable);
      } finally {
        await unreachable.close();
      }
    });
  }
});
