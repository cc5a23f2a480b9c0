import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseChatCompletionFast } from '../../src/server/chat-completion-fast-parse.js';
import { chatCompletionRequestSchema } from '../../src/server/chat-completion-schema.js';

/** Values a field may take, valid and not, so generated bodies land on both sides of every check. */
const anyScalar = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -5, max: 2_000_000 }),
  fc.double({ min: -3, max: 3, noNaN: true }),
  fc.constantFrom(0, 1, 2, 2.5, 1.5, 1.0001, -2, -2.5, -0.5, 3, 1_000_000, 1_000_001, 2 ** 53, 0.5),
  fc.string({ maxLength: 5 }),
  fc.constantFrom('', 'x'.repeat(257), 'stop'),
  fc.constantFrom(['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd', 'e'], []),
  fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.integer()), { maxLength: 6 }),
);

const validMessage = fc.oneof(
  fc.record({ role: fc.constantFrom('system', 'developer', 'user', 'assistant'), content: fc.string({ maxLength: 8 }) }),
  fc.record({ role: fc.constant('tool'), content: fc.string({ maxLength: 4 }), tool_call_id: fc.constant('call_1') }),
  fc.record({ role: fc.constant('user'), content: fc.string({ maxLength: 4 }), name: fc.string({ maxLength: 4 }) }),
);

/** Each message key with odd values too; the keys a message may carry include ones the schema strips. */
const oddMessage = fc.record(
  {
    role: fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool', 'robot', 7),
    content: fc.oneof(fc.string({ maxLength: 8 }), fc.constant(null), fc.constant([{ type: 'text', text: 'a' }]), fc.integer()),
    name: fc.oneof(fc.string({ maxLength: 4 }), fc.constant(null)),
    tool_call_id: fc.oneof(fc.constantFrom('', 'call_1'), fc.constant(null)),
    tool_calls: fc.constantFrom(null, [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }]),
    refusal: fc.constant(null),
  },
  { requiredKeys: [] },
);

const fields = [
  'model', 'messages', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'stop', 'seed', 'n', 'user',
  'logprobs', 'top_logprobs', 'presence_penalty', 'frequency_penalty', 'parallel_tool_calls', 'top_k', 'tools', 'metadata',
] as const;

const oddValue = fc.oneof(
  { arbitrary: anyScalar, weight: 4 },
  { arbitrary: fc.constantFrom({ include_usage: true }, { include_usage: 'yes' }, {}, { include_usage: false, other: 1 }, [{ type: 'function', function: { name: 'lookup' } }]), weight: 1 },
  { arbitrary: fc.array(fc.oneof(validMessage, oddMessage, fc.constantFrom({ role: 'tool', content: 'x' }, { role: 'user' }, { role: 'assistant', content: null })), { maxLength: 3 }), weight: 1 },
);

/** A valid common body with up to four fields set to anything: most land on one side of a check or the other. */
const body = fc
  .tuple(
    fc.record({ model: fc.constant('bench'), messages: fc.array(validMessage, { minLength: 1, maxLength: 3 }), stream: fc.boolean() }),
    fc.array(fc.tuple(fc.constantFrom(...fields), oddValue), { maxLength: 4 }),
  )
  .map(([base, overrides]) => {
    const built: Record<string, unknown> = { ...base };
    for (const [field, value] of overrides) built[field] = value;
    return built;
  });

describe('chat completion fast parse', () => {
  it('takes the common bodies and returns exactly what the schema returns', () => {
    const common = [
      { model: 'bench', stream: false, messages: [{ role: 'user', content: 'Where is my order 12345?' }] },
      { model: 'bench', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi', name: 'ann' }] },
      { model: 'bench', messages: [{ role: 'developer', content: 'x' }, { role: 'assistant', content: null }, { role: 'tool', content: '{}', tool_call_id: 'call_1' }], temperature: 0.2, top_p: 1, max_tokens: 64, stop: ['\n'], seed: 7, n: 1, user: 'u-1', top_k: 40, logprobs: null },
    ];
    for (const candidate of common) {
      const fast = parseChatCompletionFast(structuredClone(candidate));
      assert.ok(fast, `the fast path takes ${JSON.stringify(candidate)}`);
      assert.deepEqual(fast, chatCompletionRequestSchema.parse(structuredClone(candidate)));
    }
  });

  it('leaves tools, content parts and unmodelled message keys to the schema', () => {
    const user = { role: 'user', content: 'hi' };
    assert.equal(parseChatCompletionFast({ model: 'bench', messages: [user], tools: [{ type: 'function', function: { name: 'lookup' } }] }), undefined);
    assert.equal(parseChatCompletionFast({ model: 'bench', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] }), undefined);
    assert.equal(parseChatCompletionFast({ model: 'bench', messages: [{ ...user, refusal: null }] }), undefined);
  });

  it('never takes a body the schema refuses, and agrees with it on every body it takes', () => {
    let taken = 0;
    fc.assert(
      fc.property(body, (candidate) => {
        const fast = parseChatCompletionFast(structuredClone(candidate));
        const schema = chatCompletionRequestSchema.safeParse(structuredClone(candidate));
        if (fast === undefined) return;
        taken++;
        assert.ok(schema.success, `the fast path took a body the schema refuses: ${JSON.stringify(candidate)}`);
        assert.deepEqual(fast, schema.data);
      }),
      { numRuns: 5_000, seed: 15 },
    );
    // Generated bodies must reach the fast path's acceptance too, or the property says nothing.
    assert.ok(taken > 20, `only ${taken} generated bodies were taken`);
  });
});
