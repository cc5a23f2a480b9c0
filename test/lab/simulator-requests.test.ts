import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessagesRequest } from '../../src/lab/anthropic-messages-request.js';
import { parseChatCompletionRequest } from '../../src/lab/openai-chat-request.js';

test('OpenAI bodies: prompt tokens are ceil(characters / 4) over string and part contents', () => {
  const result = parseChatCompletionRequest(
    {
      messages: [
        { role: 'system', content: 'abcd' },
        { role: 'user', content: [{ type: 'text', text: 'efghi' }, { type: 'image_url', image_url: { url: 'x' } }] },
        { role: 'assistant', content: null },
      ],
      stream: true,
      max_tokens: 7,
    },
    'default-model',
  );
  assert.ok(result.ok);
  assert.deepEqual(result.request, { model: 'default-model', promptTokens: 3, maxTokens: 7, stream: true, includeUsage: false });
});

test('OpenAI bodies: each bad field is named', () => {
  const cases: [unknown, string][] = [
    [[], ''],
    [{ messages: [] }, 'messages'],
    [{ messages: ['hi'] }, 'messages[0]'],
    [{ messages: [{ content: 'hi' }] }, 'messages[0].role'],
    [{ messages: [{ role: 'user', content: 5 }] }, 'messages[0].content'],
    [{ model: 3, messages: [{ role: 'user', content: 'x' }] }, 'model'],
    [{ messages: [{ role: 'user', content: 'x' }], max_completion_tokens: 1.5 }, 'max_completion_tokens'],
    [{ messages: [{ role: 'user', content: 'x' }], stream: 'yes' }, 'stream'],
    [{ messages: [{ role: 'user', content: 'x' }], stream_options: { include_usage: 1 } }, 'stream_options.include_usage'],
  ];
  for (const [body, param] of cases) {
    const result = parseChatCompletionRequest(body, 'm');
    assert.ok(!result.ok, JSON.stringify(body));
    assert.equal(result.param, param);
    if (param !== '') assert.ok(result.message.includes(param), result.message);
  }
});

test('Anthropic bodies: system and block contents count; max_tokens, roles and blocks are checked', () => {
  const result = parseMessagesRequest(
    { model: 'claude', max_tokens: 20, system: 'abcdefgh', messages: [{ role: 'user', content: [{ type: 'text', text: 'ijkl' }] }] },
    'm',
  );
  assert.ok(result.ok);
  assert.deepEqual(result.request, { model: 'claude', promptTokens: 3, maxTokens: 20, stream: false, includeUsage: false });
  const messages = [{ role: 'user', content: 'x' }];
  const bad: [unknown, string][] = [
    [{ messages }, 'max_tokens'],
    [{ max_tokens: 5, messages: [{ role: 'system', content: 'x' }] }, 'messages.0.role'],
    [{ max_tokens: 5, messages: [{ role: 'user', content: [{ text: 'no type' }] }] }, 'messages.0.content.0'],
    [{ max_tokens: 5, system: 4, messages }, 'system'],
  ];
  for (const [body, param] of bad) {
    const parsed = parseMessagesRequest(body, 'm');
    assert.ok(!parsed.ok, JSON.stringify(body));
    assert.equal(parsed.param, param);
  }
});

test('OpenAI bodies: tool definitions count as prompt, and the conversation facts are read', () => {
  const tools = [{ type: 'function', function: { name: 'lookup_order', description: 'Find an order', parameters: { type: 'object', properties: { id: { type: 'string' } } } } }];
  const toolCalls = [{ id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{"id":"7"}' } }];
  const result = parseChatCompletionRequest(
    {
      messages: [
        { role: 'user', content: 'where is order 7' },
        { role: 'assistant', content: null, tool_calls: toolCalls },
        { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: 'shipped' }] },
      ],
      tools,
      tool_choice: { type: 'function', function: { name: 'lookup_order' } },
      parallel_tool_calls: false,
    },
    'm',
  );
  assert.ok(result.ok);
  const characters = JSON.stringify(tools).length + 'where is order 7'.length + JSON.stringify(toolCalls).length + 'shipped'.length;
  assert.equal(result.request.promptTokens, Math.ceil(characters / 4));
  assert.equal(result.prompt.characters, characters);
  assert.deepEqual(result.conversation, {
    tools: [{ name: 'lookup_order', description: 'Find an order', schema: tools[0]!.function.parameters }],
    toolChoice: { mode: 'named', name: 'lookup_order' },
    parallelToolCalls: false,
    lastUserText: 'where is order 7',
    toolResults: [{ name: 'lookup_order', content: 'shipped', isError: false }],
    responseFormat: undefined,
  });
  // A new user message after the results is a new question: the results no longer end the conversation.
  const followUp = parseChatCompletionRequest({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: null, tool_calls: toolCalls }, { role: 'tool', tool_call_id: 'call_1', content: 'r' }, { role: 'user', content: 'b' }] }, 'm');
  assert.ok(followUp.ok);
  assert.deepEqual([followUp.conversation.toolResults, followUp.conversation.lastUserText], [[], 'b']);
});

test('Anthropic bodies: tools, tool_choice and the tool results of the last user message', () => {
  const result = parseMessagesRequest(
    {
      max_tokens: 50,
      tools: [{ name: 'weather', input_schema: { type: 'object', properties: {} } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      messages: [
        { role: 'user', content: 'weather in Oslo?' },
        { role: 'assistant', content: [{ type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Oslo' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny', is_error: false }] },
      ],
    },
    'm',
  );
  assert.ok(result.ok);
  assert.equal(result.conversation.lastUserText, 'weather in Oslo?', 'a message of tool results only is not a new question');
  assert.deepEqual(result.conversation.toolResults, [{ name: 'weather', content: 'sunny', isError: false }]);
  assert.deepEqual(result.conversation.toolChoice, { mode: 'required' });
  assert.equal(result.conversation.parallelToolCalls, false);
  const bad: [unknown, string][] = [
    [{ max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'x', name: 'y', input: {} }] }] }, 'messages.0.content.0'],
    [{ max_tokens: 5, tools: [{ name: 'w', input_schema: { properties: {} } }], messages: [{ role: 'user', content: 'x' }] }, 'tools.0.input_schema.type'],
    [{ max_tokens: 5, tool_choice: { type: 'any' }, messages: [{ role: 'user', content: 'x' }] }, 'tool_choice'],
  ];
  for (const [body, param] of bad) {
    const parsed = parseMessagesRequest(body, 'm');
    assert.ok(!parsed.ok, JSON.stringify(body));
    assert.equal(parsed.param, param);
  }
});
