import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChatCompletionRequest, parseMessagesRequest } from '../../src/lab/simulator-requests.js';

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
