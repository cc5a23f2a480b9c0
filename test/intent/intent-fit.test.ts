/** The eval's arithmetic, and fitted gates against the defaults on the held-out half of the demo dataset (the whole cascade, over simulators). */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { demoCascadeConfig } from '../../src/config/demo-config.js';
import { fitIntentGates } from '../../src/intent/fit-intent-gates.js';
import { parseIntentDataset } from '../../src/intent/intent-dataset.js';
import { evaluateRecorded, recordDataset, type RecordedMessage } from '../../src/intent/intent-eval.js';
import type { IntentResult } from '../../src/intent/intent-classifier.js';
import type { TieredIntentClassifier } from '../../src/intent/tiered-intent-classifier.js';
import { repositoryRoot } from '../support/repository-root.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;
let cascade: TieredIntentClassifier;
let agents: Map<string, string>;
before(async () => {
  server = await startTestServer({ intent: demoCascadeConfig.intent });
  cascade = server.runtime.current.intent;
  agents = new Map(Object.entries(cascade.agentIntents));
});
after(() => server.close());

const verdict = (agent: string, confidence: number, margin = confidence): IntentResult => ({ agent, intent: agent, confidence, margin, source: 'trained' });

describe('intent eval', () => {
  it('reads a dataset, mapping intent names to agents and refusing a bad line by number and field', () => {
    const parsed = parseIntentDataset('{"text":"a","intent":"order_support"}\n\n{"text":"b","intent":"none"}\n', agents, 'd.jsonl');
    assert.deepEqual(parsed, [{ text: 'a', label: 'order-support' }, { text: 'b', label: 'none' }]);
    assert.throws(() => parseIntentDataset('{"text":"a","intent":"none"}\n{"text":"b","intent":"billing"}', agents, 'd.jsonl'), /^Error: d\.jsonl:2: "intent" is "billing"/);
    assert.throws(() => parseIntentDataset('{"text":"","intent":"none"}', agents, 'd.jsonl'), /d\.jsonl:1: "text" must be a non-empty string/);
    assert.throws(() => parseIntentDataset('{"text":"a","intent":"none","label":"x"}', agents, 'd.jsonl'), /d\.jsonl:1: unknown field "label"/);
    assert.throws(() => parseIntentDataset('not json', agents, 'd.jsonl'), /d\.jsonl:1: not JSON/);
  });

  it('computes accuracy, per-intent precision and recall, out-of-scope figures and tier shares from recorded verdicts', () => {
    // Only the trained tier speaks; gate 0.5: confident verdicts decide, and the demo cascade asks back about the rest.
    const trace = (result: IntentResult) => [{ tier: 'trained' as const, result, seconds: 0.001 }];
    const recorded: RecordedMessage[] = [
      { text: 'a', label: 'order-support', traces: trace(verdict('order-support', 0.9)) },
      { text: 'b', label: 'order-support', traces: trace(verdict('order-support', 0.2)) },
      { text: 'c', label: 'shopping-advice', traces: trace(verdict('shopping-advice', 0.8)) },
      { text: 'd', label: 'none', traces: trace(verdict('none', 0.7)) },
    ];
    const report = evaluateRecorded(cascade, recorded, { trained: { threshold: 0.5, margin: 0 } });
    assert.equal(report.accuracy, 0.75);
    const byLabel = Object.fromEntries(report.classes.map((entry) => [entry.label, entry]));
    assert.deepEqual([byLabel['order-support']!.precision, byLabel['order-support']!.recall], [1, 0.5]);
    assert.deepEqual([byLabel['shopping-advice']!.precision, byLabel['shopping-advice']!.recall], [1, 1]);
    assert.deepEqual(report.outOfScope, { precision: 1, recall: 1 });
    assert.equal(report.confusion['order-support']!['ask'], 1);
    assert.deepEqual([report.askShare, report.defaultShare], [0.25, 0]);
    const trained = report.tiers.find((tier) => tier.tier === 'trained')!;
    assert.deepEqual([trained.reached, trained.decided, trained.p50Ms], [1, 0.75, 1]);
    assert.ok(Math.abs(report.macroF1 - (2 / 3 + 1 + 1) / 3) < 1e-12);
  });

  it('fitted gates beat the defaults on the held-out half of the demo dataset', async () => {
    const dataset = parseIntentDataset(readFileSync(join(repositoryRoot, 'datasets/demo-intents.jsonl'), 'utf8'), agents);
    assert.ok(dataset.length >= 200);
    assert.ok(dataset.filter((message) => message.label === 'none').length >= 30);
    const recorded = await recordDataset(cascade, dataset);
    const fitHalf = recorded.filter((_, index) => index % 2 === 0);
    const heldOut = recorded.filter((_, index) => index % 2 === 1);
    const fit = fitIntentGates(cascade, fitHalf);
    const defaults = evaluateRecorded(cascade, heldOut);
    const fitted = evaluateRecorded(cascade, heldOut, fit.gates);
    assert.ok(fitted.accuracy > defaults.accuracy, `held out: fitted ${fitted.accuracy} > defaults ${defaults.accuracy}`);
    assert.ok(fitted.macroF1 > defaults.macroF1, `held out macro-F1: fitted ${fitted.macroF1} > defaults ${defaults.macroF1}`);
    // The fit never loses on the half it was fitted on.
    assert.ok(fit.accuracy >= fit.startAccuracy);
  });
});
