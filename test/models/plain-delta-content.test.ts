import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { plainDeltaContent } from '../../src/models/providers/openai-compatible-provider.js';
import { SseParser } from '../../src/models/providers/sse-lines.js';

function chunk(delta: Record<string, unknown>, finishReason: string | null = null, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...extra });
}

describe('the streaming fast path', () => {
  it('extracts any content exactly as JSON.parse would', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        assert.equal(plainDeltaContent(chunk({ content: text })), text);
      }),
      { numRuns: 500, seed: 7 },
    );
    assert.equal(plainDeltaContent(chunk({ content: 'a "quoted" \\ back\nslash' })), 'a "quoted" \\ back\nslash');
  });

  it('takes the fast path on OpenAI chunks that carry "usage":null, as every chunk does with include_usage', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        assert.equal(plainDeltaContent(chunk({ content: text }, null, { usage: null })), text);
      }),
      { numRuns: 200, seed: 11 },
    );
    // A content delta that merely mentions usage is still content.
    assert.equal(plainDeltaContent(chunk({ content: '"usage":{"prompt_tokens":1}' }, null, { usage: null })), '"usage":{"prompt_tokens":1}');
    assert.equal(plainDeltaContent(chunk({ content: '"usage":{"prompt_tokens":1}' })), '"usage":{"prompt_tokens":1}');
  });

  it('leaves chunks with a finish reason, usage, tool calls or a role to the full parser', () => {
    assert.equal(plainDeltaContent(chunk({ content: 'x' }, 'stop')), undefined);
    assert.equal(plainDeltaContent(chunk({ role: 'assistant', content: '' })), undefined);
    assert.equal(plainDeltaContent(chunk({ content: 'x' }, null, { usage: { prompt_tokens: 1 } })), undefined);
    assert.equal(plainDeltaContent(chunk({ content: 'x' }, 'stop', { usage: null })), undefined);
    assert.equal(plainDeltaContent(chunk({ content: 'x', tool_calls: [] })), undefined);
    assert.equal(plainDeltaContent('{"error":{"message":"boom"}}'), undefined);
  });

  it('parses SSE events split at any byte boundary', () => {
    const text = 'event: a\ndata: {"x":"é"}\n\ndata: one\ndata: two\r\n\r\n: comment\ndata: [DONE]\n\n';
    const bytes = new TextEncoder().encode(text);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 6 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const events: string[] = [];
        const parser = new SseParser();
        let previous = 0;
        for (const point of [...points, bytes.length]) {
          parser.push(bytes.subarray(previous, point), (event, data) => events.push(`${event ?? ''}|${data}`));
          previous = point;
        }
        parser.end((event, data) => events.push(`${event ?? ''}|${data}`));
        assert.deepEqual(events, ['a|{"x":"é"}', '|one\ntwo', '|[DONE]']);
      }),
      { numRuns: 200, seed: 3 },
    );
  });
});
