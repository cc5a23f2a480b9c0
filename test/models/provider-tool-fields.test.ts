import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatCallRequest, ChatStreamPart } from '../../src/chat/chat-types.js';
import { AnthropicProvider } from '../../src/models/providers/anthropic-provider.js';
import { OpenAiCompatibleProvider } from '../../src/models/providers/openai-compatible-provider.js';
import { unsupportedField } from '../../src/models/providers/provider-fields.js';
import { startCaptureServer, writeSse } from './capture-server.js';

const lookup = { name: 'lookup_order', description: 'Look up an order', parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } };

/** A conversation that called two tools and got both results back. */
const toolHistory: ChatCallRequest['messages'] = [
  { role: 'system', content: 'S' },
  { role: 'user', content: 'Where are orders 1 and 2?' },
  {
    role: 'assistant',
    content: '',
    toolCalls: [
      { id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{"id":"1"}' } },
      { id: 'call_2', type: 'function', function: { name: 'lookup_order', arguments: '{"id":"2"}' } },
    ],
  },
  { role: 'tool', toolCallId: 'call_1', content: 'shipped' },
  { role: 'tool', toolCallId: 'call_2', content: 'packed' },
];

async function parts(iterable: AsyncIterable<ChatStreamPart>): Promise<ChatStreamPart[]> {
  const all: ChatStreamPart[] = [];
  for await (const part of iterable) all.push(part);
  return all;
}

const chunk = (delta: unknown, finish: string | null = null) => `{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":${JSON.stringify(delta)},"finish_reason":${JSON.stringify(finish)}}]}`;

describe('OpenAI-compatible provider: tools and the optional fields', () => {
  it('sends every field under its OpenAI name, extras as they came, and the tool history with null content', async () => {
    const server = await startCaptureServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          choices: [
            {
              message: { content: null, tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'lookup_order', arguments: '{"id":"7"}' }, extra: 1 }] },
              logprobs: { content: [{ token: 'x', logprob: -0.1, top_logprobs: [] }] },
              finish_reason: 'tool_calls',
            },
          ],
          usage: { prompt_tokens: 9, completion_tokens: 4 },
        }),
      );
    });
    const provider = new OpenAiCompatibleProvider({ baseUrl: server.url });
    try {
      const result = await provider.call(
        {
          model: 'm',
          messages: toolHistory,
          tools: [lookup, { name: 'no_args', strict: true }],
          toolChoice: { name: 'lookup_order' },
          parallelToolCalls: false,
          responseFormat: { type: 'json_schema', jsonSchema: { name: 'order', schema: { type: 'object' }, strict: true } },
          seed: 42,
          n: 1,
          user: 'u-1',
          logprobs: true,
          topLogprobs: 2,
          presencePenalty: 0.5,
          frequencyPenalty: -0.5,
          logitBias: { '50256': -100 },
          metadata: { purpose: 'test' },
          extraFields: { top_k: 20, repetition_penalty: 1.1 },
        },
        AbortSignal.timeout(5_000),
      );
      assert.deepEqual(result.toolCalls, [{ id: 'call_9', type: 'function', function: { name: 'lookup_order', arguments: '{"id":"7"}' } }]);
      assert.equal(result.finishReason, 'tool_calls');
      assert.deepEqual(result.logprobs, { content: [{ token: 'x', logprob: -0.1, top_logprobs: [] }] });
      const body = server.requests[0]!.body as Record<string, unknown>;
      assert.deepEqual(body, {
        top_k: 20,
        repetition_penalty: 1.1,
        model: 'm',
        messages: [
          { role: 'system', content: 'S' },
          { role: 'user', content: 'Where are orders 1 and 2?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{"id":"1"}' } },
              { id: 'call_2', type: 'function', function: { name: 'lookup_order', arguments: '{"id":"2"}' } },
            ],
          },
          { role: 'tool', content: 'shipped', tool_call_id: 'call_1' },
          { role: 'tool', content: 'packed', tool_call_id: 'call_2' },
        ],
        stream: false,
        tools: [
          { type: 'function', function: lookup },
          { type: 'function', function: { name: 'no_args', strict: true } },
        ],
        tool_choice: { type: 'function', function: { name: 'lookup_order' } },
        parallel_tool_calls: false,
        response_format: { type: 'json_schema', json_schema: { name: 'order', schema: { type: 'object' }, strict: true } },
        seed: 42,
        n: 1,
        user: 'u-1',
        logprobs: true,
        top_logprobs: 2,
        presence_penalty: 0.5,
        frequency_penalty: -0.5,
        logit_bias: { '50256': -100 },
        metadata: { purpose: 'test' },
      });
    } finally {
      await provider.close();
      await server.close();
    }
  });

  it('streams tool-call pieces in order with their indices, text before them kept in place, argument pieces of a read joined', async () => {
    const server = await startCaptureServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      // One read: text, then call 0 opening and two argument pieces.
      response.write(
        [
          chunk({ role: 'assistant', content: 'Checking' }),
          chunk({ content: null, tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'lookup_order', arguments: '' } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: '{"id":' } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: '"1"}' } }] }),
        ]
          .map((data) => `data: ${data}\n\n`)
          .join(''),
      );
      // Another: call 1 opens and completes, then the finish and usage.
      setImmediate(() => {
        response.end(
          [
            chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'lookup_order', arguments: '{"id":"2"}' } }] }),
            chunk({}, 'tool_calls'),
            '{"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":11}}',
            '[DONE]',
          ]
            .map((data) => `data: ${data}\n\n`)
            .join(''),
        );
      });
    });
    const provider = new OpenAiCompatibleProvider({ baseUrl: server.url });
    try {
      const streamed = await parts(await provider.stream({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [lookup] }, AbortSignal.timeout(5_000)));
      assert.deepEqual(streamed, [
        { type: 'text-delta', text: 'Checking' },
        { type: 'tool-call-delta', index: 0, id: 'call_a', name: 'lookup_order', argumentsDelta: '{"id":"1"}' },
        { type: 'tool-call-delta', index: 1, id: 'call_b', name: 'lookup_order', argumentsDelta: '{"id":"2"}' },
        { type: 'finish', finishReason: 'tool_calls', usage: { promptTokens: 5, completionTokens: 11 } },
      ]);
      const body = server.requests[0]!.body as Record<string, unknown>;
      assert.deepEqual(body.tools, [{ type: 'function', function: lookup }]);
      assert.deepEqual(body.stream_options, { include_usage: true });
    } finally {
      await provider.close();
      await server.close();
    }
  });
});

describe('Anthropic provider: tools, tool choice, tool turns and streamed tool_use', () => {
  it('maps tools, each tool choice, parallel off, user, and merges one turn of tool results into one user message', async () => {
    const server = await startCaptureServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ content: [{ type: 'text', text: 'ok' }], stop_reason: 'stop_sequence', usage: { input_tokens: 1, output_tokens: 1 } }));
    });
    const provider = new AnthropicProvider({ baseUrl: server.url });
    try {
      const base: ChatCallRequest = { model: 'claude', messages: toolHistory, maxTokens: 50, tools: [lookup, { name: 'no_args' }], user: 'u-1' };
      const result = await provider.call({ ...base, toolChoice: 'required', parallelToolCalls: false }, AbortSignal.timeout(5_000));
      assert.equal(result.finishReason, 'stop');
      assert.deepEqual(server.requests[0]!.body, {
        model: 'claude',
        max_tokens: 50,
        messages: [
          { role: 'user', content: 'Where are orders 1 and 2?' },
          {
            role: 'assistant',
            content: [
              { type: 'tool_use', id: 'call_1', name: 'lookup_order', input: { id: '1' } },
              { type: 'tool_use', id: 'call_2', name: 'lookup_order', input: { id: '2' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'call_1', content: 'shipped' },
              { type: 'tool_result', tool_use_id: 'call_2', content: 'packed' },
            ],
          },
        ],
        stream: false,
        system: 'S',
        tools: [
          { name: 'lookup_order', input_schema: lookup.parameters, description: 'Look up an order' },
          { name: 'no_args', input_schema: { type: 'object', properties: {} } },
        ],
        tool_choice: { type: 'any', disable_parallel_tool_use: true },
        metadata: { user_id: 'u-1' },
      });
      const choices: [ChatCallRequest['toolChoice'], unknown][] = [
        ['auto', { type: 'auto' }],
        ['none', { type: 'none' }],
        [{ name: 'no_args' }, { type: 'tool', name: 'no_args' }],
        [undefined, undefined],
      ];
      for (const [toolChoice, wire] of choices) {
        await provider.call({ ...base, toolChoice }, AbortSignal.timeout(5_000));
        assert.deepEqual((server.requests.at(-1)!.body as Record<string, unknown>).tool_choice, wire, `tool_choice ${JSON.stringify(toolChoice)}`);
      }
    } finally {
      await provider.close();
      await server.close();
    }
  });

  it('streams tool_use blocks as tool-call pieces numbered by call, input_json_delta in order, an input-less call as {}', async () => {
    const server = await startCaptureServer((_request, response) => {
      const event = (type: string, data: Record<string, unknown>) => ({ event: type, data: JSON.stringify({ type, ...data }) });
      writeSse(response, [
        event('message_start', { message: { model: 'claude-x', usage: { input_tokens: 20, output_tokens: 1 } } }),
        event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
        event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Let me look.' } }),
        event('content_block_stop', { index: 0 }),
        event('content_block_start', { index: 1, content_block: { type: 'tool_use', id: 'toolu_a', name: 'lookup_order', input: {} } }),
        event('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '' } }),
        event('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '{"id":' } }),
        event('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '"1"}' } }),
        event('content_block_stop', { index: 1 }),
        event('content_block_start', { index: 2, content_block: { type: 'tool_use', id: 'toolu_b', name: 'no_args', input: {} } }),
        event('content_block_stop', { index: 2 }),
        event('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 30 } }),
        event('message_stop', {}),
      ]);
    });
    const provider = new AnthropicProvider({ baseUrl: server.url });
    try {
      const streamed = await parts(await provider.stream({ model: 'claude', messages: [{ role: 'user', content: 'x' }], tools: [lookup] }, AbortSignal.timeout(5_000)));
      assert.deepEqual(streamed, [
        { type: 'text-delta', text: 'Let me look.' },
        { type: 'tool-call-delta', index: 0, id: 'toolu_a', name: 'lookup_order', argumentsDelta: '' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '{"id":' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '"1"}' },
        { type: 'tool-call-delta', index: 1, id: 'toolu_b', name: 'no_args', argumentsDelta: '' },
        { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
        { type: 'finish', finishReason: 'tool_calls', usage: { promptTokens: 20, completionTokens: 30 }, model: 'claude-x' },
      ]);
    } finally {
      await provider.close();
      await server.close();
    }
  });
});

describe('which fields each provider honours', () => {
  const plain: ChatCallRequest = { model: 'm', messages: [{ role: 'user', content: 'x' }] };
  const refusedByAnthropic: [string, Partial<ChatCallRequest>][] = [
    ['seed', { seed: 1 }],
    ['temperature', { temperature: 1.5 }],
    ['logprobs', { logprobs: true }],
    ['top_logprobs', { topLogprobs: 1 }],
    ['n', { n: 2 }],
    ['presence_penalty', { presencePenalty: 0.1 }],
    ['frequency_penalty', { frequencyPenalty: 0.1 }],
    ['logit_bias', { logitBias: { '1': 1 } }],
    ['metadata', { metadata: { a: 'b' } }],
    ['response_format', { responseFormat: { type: 'json_object' } }],
    ['tools.1.function.strict', { tools: [lookup, { name: 'b', strict: true }] }],
    ['top_k', { extraFields: { top_k: 3 } }],
    ['messages.1.name', { messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'x', name: 'ann' }] }],
  ];
  for (const [param, fields] of refusedByAnthropic) {
    it(`Anthropic refuses ${param} by name; OpenAI-format pools take it`, () => {
      assert.equal(unsupportedField('anthropic', { ...plain, ...fields })?.param, param);
      assert.equal(unsupportedField('openai', { ...plain, ...fields }), undefined);
    });
  }
  it('Anthropic takes what it can map: tools, tool choice, parallel off, user, stop, a text response format, n = 1', () => {
    const mapped: ChatCallRequest = {
      ...plain,
      messages: [...plain.messages, { role: 'assistant', content: '', toolCalls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'tool', content: 'r', toolCallId: 'c', name: 'f' }],
      tools: [lookup], toolChoice: 'required', parallelToolCalls: false, user: 'u', stop: ['x'], responseFormat: { type: 'text' }, n: 1, temperature: 1 };
    assert.equal(unsupportedField('anthropic', mapped), undefined);
  });
});
