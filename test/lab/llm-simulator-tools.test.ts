import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startLlmSimulator, type LlmSimulator, type LlmSimulatorOptions } from '../../src/lab/llm-simulator.js';
import { schemaErrors } from './json-schema-validator.js';
import { parseSse, post } from './simulator-client.js';

const started: LlmSimulator[] = [];

async function simulator(options: LlmSimulatorOptions = {}): Promise<LlmSimulator> {
  const instance = await startLlmSimulator({ ttftMs: 2, itlMs: 1, seed: 5, ...options });
  started.push(instance);
  return instance;
}

after(async () => {
  await Promise.all(started.map((instance) => instance.close()));
});

const orderSchema = { type: 'object', properties: { order_id: { type: 'string', description: 'The order number' } }, required: ['order_id'], additionalProperties: false };
const weatherSchema = {
  type: 'object',
  properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
  required: ['city', 'unit'],
  additionalProperties: false,
};
const lookupOrder = { type: 'function', function: { name: 'lookup_order', description: 'Look up an order by its number and return its status', parameters: orderSchema } };
const getWeather = { type: 'function', function: { name: 'get_weather', description: 'Current weather for a city', parameters: weatherSchema } };
const schemas: Record<string, object> = { lookup_order: orderSchema, get_weather: weatherSchema };

interface OpenAiToolCall {
  id: string;
  type: string;
  function: { name: string; arguments: string };
}

interface ChatCompletion {
  choices: { message: { role: string; content: string | null; tool_calls?: OpenAiToolCall[] }; finish_reason: string }[];
  usage: { prompt_tokens: number; completion_tokens: number };
}

interface ToolCallDelta {
  index: number;
  id?: string;
  type?: string;
  function: { name?: string; arguments: string };
}

interface StreamChunk {
  choices: { delta: { role?: string; content?: string | null; tool_calls?: ToolCallDelta[] }; finish_reason: string | null }[];
  usage?: { completion_tokens: number } | null;
}

const chat = (content: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ model: 'm', messages: [{ role: 'user', content }], ...extra });

async function completion(instance: LlmSimulator, body: Record<string, unknown>): Promise<ChatCompletion> {
  const response = await post(instance.url, '/v1/chat/completions', body);
  assert.equal(response.status, 200, response.body);
  return JSON.parse(response.body) as ChatCompletion;
}

function assertArgumentsFit(name: string, argumentsJson: string): Record<string, unknown> {
  const value = JSON.parse(argumentsJson) as Record<string, unknown>;
  const errors = schemaErrors(schemas[name]!, value);
  assert.equal(errors, undefined, `${name}(${argumentsJson}): ${errors}`);
  return value;
}

describe('tool calls, OpenAI format', () => {
  test('a matching tool is called with arguments that fit its schema and come from the message', async () => {
    const body = await completion(await simulator(), chat('Where is my order 48213?', { tools: [getWeather, lookupOrder] }));
    const choice = body.choices[0]!;
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.content, null);
    assert.equal(choice.message.tool_calls?.length, 1);
    const call = choice.message.tool_calls[0]!;
    assert.match(call.id, /^call_[A-Za-z0-9]{24}$/);
    assert.equal(call.type, 'function');
    assert.equal(call.function.name, 'lookup_order');
    assert.deepEqual(assertArgumentsFit('lookup_order', call.function.arguments), { order_id: '48213' });
    assert.ok(body.usage.completion_tokens > 1);
  });

  test('a stream sends the call as OpenAI does: id and name first, then the arguments in ordered fragments', async () => {
    const request = chat('Where is my order 48213?', { tools: [lookupOrder], stream: true, stream_options: { include_usage: true } });
    const response = await post((await simulator()).url, '/v1/chat/completions', request);
    const events = parseSse(response.body);
    assert.equal(events.at(-1)?.data, '[DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data) as StreamChunk);
    const deltas = chunks.filter((chunk) => chunk.choices[0]?.delta.tool_calls).map((chunk) => chunk.choices[0]!.delta);
    const [opening, ...fragments] = deltas;
    assert.equal(opening!.role, 'assistant');
    assert.equal(opening!.content, null);
    assert.deepEqual(Object.keys(opening!.tool_calls![0]!), ['index', 'id', 'type', 'function']);
    const start = opening!.tool_calls![0]!;
    assert.deepEqual([start.index, start.type, start.function.name, start.function.arguments], [0, 'function', 'lookup_order', '']);
    assert.ok(fragments.length >= 3, `${fragments.length} argument fragments`);
    for (const fragment of fragments) {
      assert.deepEqual(Object.keys(fragment.tool_calls![0]!), ['index', 'function']);
      assert.deepEqual(Object.keys(fragment.tool_calls![0]!.function), ['arguments']);
    }
    const streamedArguments = fragments.map((fragment) => fragment.tool_calls![0]!.function.arguments).join('');
    assert.deepEqual(assertArgumentsFit('lookup_order', streamedArguments), { order_id: '48213' });
    const finish = chunks.find((chunk) => chunk.choices[0]?.finish_reason);
    assert.equal(finish?.choices[0]!.finish_reason, 'tool_calls');
    assert.equal(chunks.at(-1)!.usage!.completion_tokens, deltas.length, 'one token per delta');

    // The same request, not streamed, on a simulator with the same seed: the same call.
    const whole = await completion(await simulator(), { ...request, stream: false });
    const call = whole.choices[0]!.message.tool_calls![0]!;
    assert.deepEqual([call.id, call.function.arguments], [start.id, streamedArguments]);
  });

  test('several matching tools give parallel calls in offered order, unless parallel_tool_calls is false', async () => {
    const question = 'What is the weather in Paris, and where is my order 48213?';
    const parallel = await completion(await simulator(), chat(question, { tools: [getWeather, lookupOrder] }));
    const calls = parallel.choices[0]!.message.tool_calls!;
    assert.deepEqual(calls.map((call) => call.function.name), ['get_weather', 'lookup_order']);
    assert.equal(new Set(calls.map((call) => call.id)).size, 2);
    assert.deepEqual(assertArgumentsFit('get_weather', calls[0]!.function.arguments), { city: 'Paris', unit: 'celsius' });
    assertArgumentsFit('lookup_order', calls[1]!.function.arguments);

    const single = await completion(await simulator(), chat(question, { tools: [getWeather, lookupOrder], parallel_tool_calls: false }));
    assert.deepEqual(single.choices[0]!.message.tool_calls!.map((call) => call.function.name), ['get_weather']);

    const streamed = await post((await simulator()).url, '/v1/chat/completions', chat(question, { tools: [getWeather, lookupOrder], stream: true }));
    const starts = parseSse(streamed.body)
      .filter((event) => event.data !== '[DONE]')
      .flatMap((event) => (JSON.parse(event.data) as StreamChunk).choices[0]?.delta.tool_calls ?? [])
      .filter((delta) => delta.id !== undefined);
    assert.deepEqual(starts.map((delta) => [delta.index, delta.function.name]), [[0, 'get_weather'], [1, 'lookup_order']]);
  });

  test('tool_choice: none answers in text, required calls even without a match, a named tool is called whatever the message', async () => {
    const instance = await simulator();
    const none = await completion(instance, chat('Where is my order 48213?', { tools: [lookupOrder], tool_choice: 'none' }));
    assert.equal(none.choices[0]!.finish_reason, 'stop');
    assert.match(none.choices[0]!.message.content!, /^\[simulated\]/);
    assert.equal(none.choices[0]!.message.tool_calls, undefined);

    const unmatched = await completion(instance, chat('Tell me a joke', { tools: [getWeather, lookupOrder] }));
    assert.equal(unmatched.choices[0]!.finish_reason, 'stop', 'auto with no matching tool answers in text');

    const required = await completion(instance, chat('Tell me a joke', { tools: [getWeather, lookupOrder], tool_choice: 'required' }));
    assert.deepEqual(required.choices[0]!.message.tool_calls!.map((call) => call.function.name), ['get_weather']);
    assertArgumentsFit('get_weather', required.choices[0]!.message.tool_calls![0]!.function.arguments);

    const named = await completion(instance, chat('Where is my order 48213?', { tools: [getWeather, lookupOrder], tool_choice: { type: 'function', function: { name: 'get_weather' } } }));
    assert.deepEqual(named.choices[0]!.message.tool_calls!.map((call) => call.function.name), ['get_weather']);
  });

  test('after a tool message the answer is text that quotes the result, streamed or not', async () => {
    const result = '{"status":"shipped","carrier":"DHL"}';
    const messages = [
      { role: 'user', content: 'Where is my order 48213?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"48213"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: result },
    ];
    const instance = await simulator();
    const whole = await completion(instance, { model: 'm', messages, tools: [lookupOrder] });
    assert.equal(whole.choices[0]!.finish_reason, 'stop');
    assert.equal(whole.choices[0]!.message.content, `[simulated] According to lookup_order: ${result}`);
    assert.equal(whole.usage.prompt_tokens, Math.ceil((JSON.stringify([lookupOrder]).length + 24 + JSON.stringify(messages[1]!.tool_calls).length + result.length) / 4));

    const streamed = await post(instance.url, '/v1/chat/completions', { model: 'm', messages, tools: [lookupOrder], stream: true });
    const text = parseSse(streamed.body)
      .filter((event) => event.data !== '[DONE]')
      .map((event) => (JSON.parse(event.data) as StreamChunk).choices[0]?.delta.content ?? '')
      .join('');
    assert.equal(text, whole.choices[0]!.message.content);

    // tool_choice "required" forces another call even after results, as the API does.
    const forced = await completion(instance, { model: 'm', messages, tools: [lookupOrder], tool_choice: 'required' });
    assert.equal(forced.choices[0]!.finish_reason, 'tool_calls');
  });

  test('max_tokens cuts a call short: finish_reason length and arguments as far as they got', async () => {
    const body = await completion(await simulator(), chat('Where is my order 48213?', { tools: [lookupOrder], max_tokens: 3 }));
    assert.equal(body.choices[0]!.finish_reason, 'length');
    const call = body.choices[0]!.message.tool_calls![0]!;
    assert.equal(call.function.name, 'lookup_order');
    assert.ok('{"order_id":"48213"}'.startsWith(call.function.arguments) && call.function.arguments.length < 20, call.function.arguments);
    assert.equal(body.usage.completion_tokens, 3);
  });

  test('response_format json_schema and json_object get JSON that fits', async () => {
    const schema = { type: 'object', properties: { sentiment: { type: 'string', enum: ['positive', 'negative'] }, score: { type: 'number', minimum: 0, maximum: 1 }, topics: { type: 'array', items: { type: 'string' }, minItems: 1 } }, required: ['sentiment', 'score', 'topics'], additionalProperties: false };
    const instance = await simulator();
    const structured = await completion(instance, chat('The delivery was late and the box was negative', { response_format: { type: 'json_schema', json_schema: { name: 'review', schema, strict: true } } }));
    const value = JSON.parse(structured.choices[0]!.message.content!) as { sentiment: string };
    assert.equal(schemaErrors(schema, value), undefined);
    assert.equal(value.sentiment, 'negative');

    const object = await completion(instance, chat('hello', { response_format: { type: 'json_object' }, stream: false }));
    const parsed = JSON.parse(object.choices[0]!.message.content!) as { answer: string };
    assert.match(parsed.answer, /^\[simulated\]/);
  });

  test('bad tool fields are refused by name, in OpenAI error shape', async () => {
    const instance = await simulator();
    const cases: [Record<string, unknown>, string][] = [
      [chat('x', { tools: [] }), 'tools'],
      [chat('x', { tools: [{ type: 'function', function: { name: 'bad name!' } }] }), 'tools[0].function.name'],
      [chat('x', { tools: [{ type: 'code_interpreter' }] }), 'tools[0].type'],
      [chat('x', { tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'string' } } }] }), 'tools[0].function.parameters.type'],
      [chat('x', { tools: [lookupOrder], tool_choice: { type: 'function', function: { name: 'nope' } } }), 'tool_choice'],
      [chat('x', { tool_choice: 'required' }), 'tool_choice'],
      [chat('x', { tools: [lookupOrder], parallel_tool_calls: 'yes' }), 'parallel_tool_calls'],
      [chat('x', { functions: [{ name: 'f' }] }), 'functions'],
      [chat('x', { response_format: { type: 'yaml' } }), 'response_format.type'],
      [chat('x', { response_format: { type: 'json_schema', json_schema: { schema: {} } } }), 'response_format.json_schema.name'],
      [{ model: 'm', messages: [{ role: 'user', content: 'x' }, { role: 'tool', tool_call_id: 'call_9', content: 'r' }] }, 'messages[1].tool_call_id'],
      [{ model: 'm', messages: [{ role: 'tool', content: 'r' }] }, 'messages[0].tool_call_id'],
    ];
    for (const [body, param] of cases) {
      const response = await post(instance.url, '/v1/chat/completions', body);
      assert.equal(response.status, 400, `${JSON.stringify(body)}: ${response.body}`);
      const error = (JSON.parse(response.body) as { error: { type: string; param: string; message: string } }).error;
      assert.equal(error.type, 'invalid_request_error');
      assert.equal(error.param, param, error.message);
    }
    assert.equal(instance.stats().completed, 0);
  });

  test('the official openai client runs the whole tool loop offline: call, result, answer', async () => {
    const instance = await simulator();
    const client = new OpenAI({ apiKey: 'unused', baseURL: `${instance.url}/v1`, maxRetries: 0 });
    for (const stream of [false, true]) {
      const seen: unknown[] = [];
      const tool = {
        type: 'function' as const,
        function: {
          name: 'lookup_order',
          description: 'Look up an order by its number and return its status',
          parameters: orderSchema,
          parse: (input: string) => JSON.parse(input) as { order_id: string },
          function: (args: { order_id: string }) => {
            seen.push(args);
            return { order_id: args.order_id, status: 'shipped' };
          },
        },
      };
      const params = { model: 'sim', messages: [{ role: 'user' as const, content: 'Where is my order 48213?' }], tools: [tool] };
      const runner = stream ? client.chat.completions.runTools({ ...params, stream: true }) : client.chat.completions.runTools(params);
      const answer = await runner.finalContent();
      assert.deepEqual(seen, [{ order_id: '48213' }], `stream ${stream}`);
      assert.equal(answer, '[simulated] According to lookup_order: {"order_id":"48213","status":"shipped"}');
    }
  });
});

interface AnthropicMessage {
  content: ({ type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> })[];
  stop_reason: string;
}

const anthropicTools = [
  { name: 'get_weather', description: 'Current weather for a city', input_schema: weatherSchema },
  { name: 'lookup_order', description: 'Look up an order by its number and return its status', input_schema: orderSchema },
];

async function message(instance: LlmSimulator, body: Record<string, unknown>): Promise<AnthropicMessage> {
  const response = await post(instance.url, '/v1/messages', { model: 'claude-sim', max_tokens: 1024, ...body });
  assert.equal(response.status, 200, response.body);
  return JSON.parse(response.body) as AnthropicMessage;
}

describe('tool use, Anthropic format', () => {
  test('a matching tool gives a tool_use block whose input fits input_schema', async () => {
    const body = await message(await simulator(), { tools: anthropicTools, messages: [{ role: 'user', content: 'Where is my order 48213?' }] });
    assert.equal(body.stop_reason, 'tool_use');
    assert.equal(body.content.length, 1);
    const block = body.content[0]!;
    assert.ok(block.type === 'tool_use');
    assert.match(block.id, /^toolu_[A-Za-z0-9]{24}$/);
    assert.equal(block.name, 'lookup_order');
    assert.deepEqual(block.input, { order_id: '48213' });
    assert.equal(schemaErrors(orderSchema, block.input), undefined);
  });

  test('a stream sends content_block_start (tool_use), input_json_delta fragments and content_block_stop per call', async () => {
    const response = await post((await simulator()).url, '/v1/messages', {
      max_tokens: 1024,
      stream: true,
      tools: anthropicTools,
      messages: [{ role: 'user', content: 'What is the weather in Paris, and where is my order 48213?' }],
    });
    const events = parseSse(response.body).map((event) => ({ name: event.event, data: JSON.parse(event.data) as Record<string, unknown> }));
    for (const event of events) assert.equal(event.data.type, event.name);
    const names = events.map((event) => event.name);
    assert.deepEqual(names.slice(0, 3), ['message_start', 'content_block_start', 'ping']);
    assert.deepEqual(names.slice(-2), ['message_delta', 'message_stop']);
    const blocks = new Map<number, { start: Record<string, unknown>; json: string; stopped: boolean }>();
    let open: number | undefined;
    for (const event of events) {
      const index = event.data.index as number;
      if (event.name === 'content_block_start') {
        assert.equal(open, undefined, 'one block at a time');
        open = index;
        blocks.set(index, { start: event.data.content_block as Record<string, unknown>, json: '', stopped: false });
      } else if (event.name === 'content_block_delta') {
        assert.equal(index, open);
        const delta = event.data.delta as { type: string; partial_json: string };
        assert.equal(delta.type, 'input_json_delta');
        blocks.get(index)!.json += delta.partial_json;
      } else if (event.name === 'content_block_stop') {
        assert.equal(index, open);
        blocks.get(index)!.stopped = true;
        open = undefined;
      }
    }
    assert.deepEqual([...blocks.keys()], [0, 1]);
    const [weather, order] = [blocks.get(0)!, blocks.get(1)!];
    assert.deepEqual([weather.start.type, weather.start.name, weather.start.input], ['tool_use', 'get_weather', {}]);
    assert.equal(order.start.name, 'lookup_order');
    assert.ok(weather.stopped && order.stopped);
    assert.deepEqual(JSON.parse(weather.json), { city: 'Paris', unit: 'celsius' });
    assert.deepEqual(JSON.parse(order.json), { order_id: '48213' });
    const messageDelta = events.at(-2)!.data as { delta: { stop_reason: string }; usage: { output_tokens: number } };
    assert.equal(messageDelta.delta.stop_reason, 'tool_use');
    assert.equal(messageDelta.usage.output_tokens, events.filter((event) => event.name === 'content_block_delta' || event.name === 'content_block_start').length);
  });

  test('tool_choice any, tool, none and disable_parallel_tool_use', async () => {
    const instance = await simulator();
    const question = [{ role: 'user', content: 'What is the weather in Paris, and where is my order 48213?' }];
    const joke = [{ role: 'user', content: 'Tell me a joke' }];
    const names = (body: AnthropicMessage): string[] => body.content.map((block) => (block.type === 'tool_use' ? block.name : 'text'));
    assert.deepEqual(names(await message(instance, { tools: anthropicTools, messages: joke })), ['text']);
    assert.deepEqual(names(await message(instance, { tools: anthropicTools, messages: joke, tool_choice: { type: 'any' } })), ['get_weather']);
    assert.deepEqual(names(await message(instance, { tools: anthropicTools, messages: joke, tool_choice: { type: 'tool', name: 'lookup_order' } })), ['lookup_order']);
    assert.deepEqual(names(await message(instance, { tools: anthropicTools, messages: question, tool_choice: { type: 'none' } })), ['text']);
    assert.deepEqual(names(await message(instance, { tools: anthropicTools, messages: question })), ['get_weather', 'lookup_order']);
    assert.deepEqual(names(await message(instance, { tools: anthropicTools, messages: question, tool_choice: { type: 'auto', disable_parallel_tool_use: true } })), ['get_weather']);
  });

  test('tool_result blocks get a text answer that uses them; an error result is said to be one', async () => {
    const instance = await simulator();
    const history = (content: string, isError: boolean): Record<string, unknown>[] => [
      { role: 'user', content: 'Where is my order 48213?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup_order', input: { order_id: '48213' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: content }], is_error: isError }] },
    ];
    const answered = await message(instance, { tools: anthropicTools, messages: history('{"status":"shipped"}', false) });
    assert.equal(answered.stop_reason, 'end_turn');
    assert.deepEqual(answered.content, [{ type: 'text', text: '[simulated] According to lookup_order: {"status":"shipped"}' }]);
    const failed = await message(instance, { tools: anthropicTools, messages: history('order service down', true) });
    assert.deepEqual(failed.content, [{ type: 'text', text: '[simulated] lookup_order reported an error: order service down' }]);
  });

  test('bad tool fields are refused in Anthropic error shape', async () => {
    const instance = await simulator();
    const cases: Record<string, unknown>[] = [
      { tools: [{ type: 'web_search_20250305', name: 'web_search' }] },
      { tools: [{ name: 'f' }] },
      { tools: anthropicTools, tool_choice: { type: 'tool' } },
      { tools: anthropicTools, tool_choice: { type: 'tool', name: 'nope' } },
      { tools: anthropicTools, tool_choice: { type: 'sometimes' } },
      { messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'r' }] }] },
    ];
    for (const extra of cases) {
      const response = await post(instance.url, '/v1/messages', { max_tokens: 10, messages: [{ role: 'user', content: 'x' }], ...extra });
      assert.equal(response.status, 400, `${JSON.stringify(extra)}: ${response.body}`);
      const body = JSON.parse(response.body) as { type: string; error: { type: string } };
      assert.deepEqual([body.type, body.error.type], ['error', 'invalid_request_error']);
    }
  });

  test('the official anthropic client reads the tool_use stream and runs the loop to a text answer', async () => {
    const instance = await simulator();
    const client = new Anthropic({ apiKey: 'unused', baseURL: instance.url, maxRetries: 0 });
    const question = { role: 'user' as const, content: 'Where is my order 48213?' };
    const tools = anthropicTools.map((tool) => ({ ...tool, input_schema: tool.input_schema as Anthropic.Tool.InputSchema }));
    const first = await client.messages.stream({ model: 'claude-sim', max_tokens: 512, tools, messages: [question] }).finalMessage();
    assert.equal(first.stop_reason, 'tool_use');
    const use = first.content.find((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use')!;
    assert.deepEqual([use.name, use.input], ['lookup_order', { order_id: '48213' }]);
    const second = await client.messages.create({
      model: 'claude-sim',
      max_tokens: 512,
      tools,
      messages: [question, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'shipped yesterday' }] }],
    });
    assert.equal(second.stop_reason, 'end_turn');
    assert.deepEqual(second.content.map((block) => (block.type === 'text' ? block.text : block.type)), ['[simulated] According to lookup_order: shipped yesterday']);
  });
});
