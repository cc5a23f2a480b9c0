import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PlainDeltaReader } from '../../src/models/providers/plain-delta-reader.js';
import { SseParser } from '../../src/models/providers/sse-lines.js';

function chunk(delta: Record<string, unknown>, finishReason: string | null = null, extra: Record<string, unknown> = {}, id = 'c'): string {
  return JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: 'm', ...extra, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] });
}

/** What the full parser would make of a chunk the fast path declines: the fast path may only answer what it agrees with. */
function parsedContent(data: string): string | undefined {
  const parsed = JSON.parse(data) as { choices?: { delta?: { content?: string } }[] };
  return parsed.choices?.[0]?.delta?.content;
}

describe('the streaming fast path over one stream', () => {
  it('reads every chunk of a stream as JSON.parse would, whatever came before it', () => {
    const shapes = [
      (text: string) => chunk({ content: text }),
      (text: string) => chunk({ content: text }, null, { usage: null }),
      (text: string) => chunk({ content: text }, 'stop'),
      (text: string) => chunk({ content: text }, null, { usage: { prompt_tokens: 1 } }),
      (text: string) => chunk({ content: text, tool_calls: [] }),
      (text: string) => chunk({ content: text }, null, {}, 'other'),
      (text: string) => chunk({ role: 'assistant', content: text }),
    ];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: shapes.length - 1 }), fc.string({ unit: 'binary' })), { maxLength: 12 }), (events) => {
        const reader = new PlainDeltaReader();
        for (const [shape, text] of events) {
          const data = shapes[shape]!(text);
          const fast = reader.read(data);
          if (fast !== undefined) assert.equal(fast, parsedContent(data));
          // Only the plain shapes are answered, never one that carries a finish, a usage object, tool calls or a role.
          if (shape >= 2 && shape <= 4) assert.equal(fast, undefined);
          if (shape === 6) assert.equal(fast, undefined);
        }
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it('declines a chunk whose text around the content differs from the one remembered, when that text carries usage or a finish', () => {
    const reader = new PlainDeltaReader();
    assert.equal(reader.read(chunk({ content: 'a' }, null, { usage: null })), 'a');
    assert.equal(reader.read(chunk({ content: 'b' }, null, { usage: null })), 'b');
    assert.equal(reader.read(chunk({ content: 'c' }, null, { usage: { prompt_tokens: 3 } })), undefined);
    assert.equal(reader.read(chunk({ content: 'd' }, 'length', { usage: null })), undefined);
    assert.equal(reader.read(chunk({ content: 'e "quoted"' }, null, { usage: null })), 'e "quoted"');
  });
});

describe('the SSE parser', () => {
  it('drops a byte-order mark at the start of the stream only, as TextDecoder did', () => {
    const events: string[] = [];
    const parser = new SseParser();
    const bytes = new TextEncoder().encode('\uFEFFdata: one\n\ndata: \uFEFFtwo\n\n');
    parser.push(bytes.subarray(0, 2), (_event, data) => events.push(data));
    parser.push(bytes.subarray(2), (_event, data) => events.push(data));
    parser.end((_event, data) => events.push(data));
    assert.deepEqual(events, ['one', '\uFEFFtwo']);
  });
});
