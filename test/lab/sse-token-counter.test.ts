import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseTokenCounter, type SseDialect } from '../../src/lab/sse-token-counter.js';

const chatStream = [
  'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}',
  '',
  'data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}',
  '',
  ': keep-alive comment',
  '',
  'data: {"choices":[{"index":0,"delta":{"content": "lo"}}]}',
  '',
  'data: {"choices":[{"index":0,"delta":{"reasoning_content":"hmm"}}]}',
  '',
  'data: {"choices":[{"index":0,"delta":{"content":"\\"quoted\\""}}]}',
  '',
  'data: {"choices":[{"index":0,"delta":{"content":null},"finish_reason":"stop"}]}',
  '',
  'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":17,"total_tokens":20}}',
  '',
  'data: [DONE]',
  '',
  '',
].join('\n');

const turnStream = [
  'event: intent',
  'data: {"intent":{"name":"faq"},"agent":"faq"}',
  '',
  'event: delta',
  'data: {"text":"Hel"}',
  '',
  'event: delta',
  'data: {"text":""}',
  '',
  'event: delta',
  'data: {"text":"lo"}',
  '',
  'event: done',
  'data: {"object":"session.turn","usage":{"prompt_tokens":4,"completion_tokens":9,"total_tokens":13}}',
  '',
  '',
].join('\n');

/** Feeds `text` cut at every `step` bytes, as a network might. */
function count(text: string, dialect: SseDialect, step: number): SseTokenCounter {
  const counter = new SseTokenCounter(dialect);
  const bytes = Buffer.from(text);
  for (let offset = 0; offset < bytes.length; offset += step) counter.push(bytes.subarray(offset, offset + step));
  counter.finish();
  return counter;
}

test('chat: counts non-empty content chunks, reads usage and [DONE], whatever the chunking', () => {
  for (const step of [1, 2, 3, 7, 64, 100_000]) {
    const counter = count(chatStream, 'chat', step);
    assert.equal(counter.tokens, 3, `step ${step}`);
    assert.equal(counter.usageTokens, 17, `step ${step}`);
    assert.equal(counter.tokenCount, 17);
    assert.equal(counter.done, true);
    assert.equal(counter.errored, false);
  }
});

test('chat with CRLF line endings counts the same', () => {
  const counter = count(chatStream.replaceAll('\n', '\r\n'), 'chat', 5);
  assert.deepEqual([counter.tokens, counter.usageTokens, counter.done], [3, 17, true]);
});

test('chat: no usage falls back to the chunk count; a missing [DONE] leaves done false', () => {
  const text = 'data: {"choices":[{"delta":{"content":"a"}}]}\n\ndata: {"choices":[{"delta":{"content":"b"}}]}\n\n';
  const counter = count(text, 'chat', 4);
  assert.deepEqual([counter.tokens, counter.tokenCount, counter.done, counter.errored], [2, 2, false, false]);
});

test('chat: an error object or an error event marks the stream errored', () => {
  assert.equal(count('data: {"choices":[{"delta":{"content":"a"}}]}\n\ndata: {"error":{"message":"x"}}\n\n', 'chat', 3).errored, true);
  assert.equal(count('event: error\ndata: {"message":"x"}\n\n', 'chat', 3).errored, true);
  // The word error inside content is not an error.
  assert.equal(count('data: {"choices":[{"delta":{"content":"{\\"error\\": 1}"}}]}\n\ndata: [DONE]\n\n', 'chat', 2).errored, false);
});

test('turn: counts non-empty delta events, takes usage from done', () => {
  for (const step of [1, 5, 1000]) {
    const counter = count(turnStream, 'turn', step);
    assert.equal(counter.tokens, 2, `step ${step}`);
    assert.equal(counter.usageTokens, 9);
    assert.equal(counter.done, true);
    assert.equal(counter.errored, false);
  }
});

test('turn: an error event after deltas is an error; a stream without done is not done', () => {
  const failed = count('event: delta\ndata: {"text":"a"}\n\nevent: error\ndata: {"error":{"message":"x","type":"t","code":"c"}}\n\n', 'turn', 3);
  assert.deepEqual([failed.tokens, failed.errored, failed.done], [1, true, false]);
  const truncated = count('event: delta\ndata: {"text":"a"}\n\n', 'turn', 3);
  assert.deepEqual([truncated.tokens, truncated.errored, truncated.done], [1, false, false]);
});

test('a last event without its blank line still counts at finish', () => {
  const counter = count('event: delta\ndata: {"text":"a"}\n\nevent: done\ndata: {}', 'turn', 4);
  assert.deepEqual([counter.tokens, counter.done], [1, true]);
});
