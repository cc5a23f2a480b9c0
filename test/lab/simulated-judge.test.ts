/** The simulator as an LLM judge: an enum value whose words the message uses is the answer, so intent tests can steer it. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messageWords } from '../../src/lab/message-words.js';
import { schemaValue } from '../../src/lab/schema-value.js';

const judge = { type: 'object', properties: { agent: { type: 'string', enum: ['none', 'order-support', 'shopping-advice'] }, confidence: { type: 'number', minimum: 0, maximum: 1 } }, required: ['agent', 'confidence'] };
const answer = (text: string) => schemaValue(judge, { words: messageWords(text), seed: 1 }) as { agent: string; confidence: number };

test('names the enum value whose words the message uses, else the first', () => {
  assert.equal(answer('Where is my order?').agent, 'order-support');
  assert.equal(answer('I would like some shopping advice').agent, 'shopping-advice');
  assert.equal(answer('hello there').agent, 'none');
  // A whole-value match still wins over a word match.
  const exact = { type: 'string', enum: ['order-status', 'order'] };
  assert.equal(schemaValue(exact, { words: messageWords('my order'), seed: 1 }), 'order');
  assert.equal(answer('Where is my order?').confidence, 1);
});
