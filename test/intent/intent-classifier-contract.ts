/** The contract every intent tier and the cascade pass: same inputs, result shape, confidence in [0, 1], cancellation by the turn's signal, no per-request state. */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { outOfScopeLabel, type IntentClassifier, type IntentInput, type IntentResult } from '../../src/intent/intent-classifier.js';

export interface IntentContractSubject {
  classifier: IntentClassifier;
  agents: readonly string[];
  /** A message (with its context) this classifier must give to `agent` with some confidence. */
  known: { input: IntentInput; agent: string };
  /** A message of another agent, for the concurrency check. */
  other: { input: IntentInput; agent: string };
}

const live = (): AbortSignal => new AbortController().signal;

function assertShape(result: IntentResult, agents: readonly string[]): void {
  assert.ok(agents.includes(result.agent) || result.agent === outOfScopeLabel, `agent ${result.agent}`);
  assert.equal(typeof result.intent, 'string');
  assert.equal(typeof result.source, 'string');
  for (const value of [result.confidence, result.margin]) assert.ok(Number.isFinite(value) && value >= 0 && value <= 1, `in [0, 1]: ${value}`);
}

export function runIntentClassifierContract(name: string, subject: () => IntentContractSubject): void {
  describe(`intent classifier contract: ${name}`, () => {
    it('gives the message it knows to its agent, with a confidence and margin in [0, 1]', async () => {
      const { classifier, known, agents } = subject();
      const result = await classifier.classify(known.input, live());
      assertShape(result, agents);
      assert.equal(result.agent, known.agent);
      assert.ok(result.confidence > 0);
    });

    it('answers anything in the same shape: empty-ish, long, odd characters', async () => {
      const { classifier, agents } = subject();
      for (const text of ['?', '   ', '🙂🙂', 'x'.repeat(5000), 'SELECT * FROM orders; --', 'ünïcödé réturn']) assertShape(await classifier.classify({ text }, live()), agents);
    });

    it('gives the same answer to the same input', async () => {
      const { classifier, known } = subject();
      const first = await classifier.classify(known.input, live());
      const second = await classifier.classify(known.input, live());
      assert.deepEqual(second, first);
    });

    it('keeps no per-request state: concurrent calls answer as sequential ones do', async () => {
      const { classifier, known, other } = subject();
      const sequential = [await classifier.classify(known.input, live()), await classifier.classify(other.input, live())];
      const concurrent = await Promise.all([known, other, known, other].map(({ input }) => classifier.classify(input, live())));
      assert.deepEqual(concurrent, [...sequential, ...sequential]);
      assert.equal(sequential[1]!.agent, other.agent);
    });

    it('is cancelled by the turn\'s signal', async () => {
      const { classifier, known } = subject();
      const controller = new AbortController();
      controller.abort(new DOMException('the client went away', 'AbortError'));
      await assert.rejects(classifier.classify(known.input, controller.signal), { name: 'AbortError' });
    });
  });
}
