/** `switchboard intent eval` as a user runs it: tables, --json, --fit --write, and a bad dataset line refused by number. */

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCliAsync } from '../support/run-cli-async.js';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-intent-eval-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Rules and the trained tier only: no model call, so the command is quick and its numbers exact.
const config = `
store: { kind: memory }
logging: { level: silent }
pools:
  p: { provider: openai, model: m, instances: [{ url: "http://127.0.0.1:9" }] }
routes:
  r: { pool: p }
agents:
  orders: { route: r, keywords: [refund], examples: ["where is my parcel", "my delivery is late"] }
  advice: { route: r, keywords: [recommend], examples: ["which laptop should I buy", "a gift for my dad"] }
intent:
  defaultAgent: advice
  tiers: { followUp: false, trained: { threshold: 0.9 } }
`;
const dataset = ['{"text":"refund please","intent":"orders"}', '{"text":"please recommend a phone","intent":"advice"}', '{"text":"my parcel is late","intent":"orders"}', '{"text":"a gift for my mum","intent":"advice"}'].join('\n');
const configPath = join(dir, 'config.yaml');
const datasetPath = join(dir, 'dataset.jsonl');
writeFileSync(configPath, config);
writeFileSync(datasetPath, dataset);

describe('switchboard intent eval', () => {
  it('prints accuracy, per-intent figures, tiers and the confusion table', async () => {
    const result = await runCliAsync(['intent', 'eval', '--config', configPath, '--dataset', datasetPath]);
    assert.equal(result.code, 0, result.stderr);
    // Rules get the first two; the trained tier's 0.9 gate sends the other two to the default agent.
    assert.match(result.stdout, /^configured gates: 4 messages — accuracy 75\.0%/);
    assert.match(result.stdout, /true \\ predicted/);
    assert.match(result.stdout, /\ntrained +0\.90 +0\.05 +50\.0% +0\.0%/);
  });

  it('fits the gates, writes them as a config section, and reports JSON', async () => {
    const written = join(dir, 'fitted.json');
    const result = await runCliAsync(['intent', 'eval', '--config', configPath, '--dataset', datasetPath, '--fit', '--write', written, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const output = JSON.parse(result.stdout);
    assert.equal(output.report.accuracy, 0.75);
    assert.equal(output.fitted.report.accuracy, 1);
    const section = JSON.parse(readFileSync(written, 'utf8'));
    assert.ok(section.intent.tiers.trained.threshold < 0.9);
    assert.deepEqual(section.intent.tiers, output.fitted.gates);
  });

  it('refuses a bad line by its number, and --write without --fit', async () => {
    writeFileSync(join(dir, 'bad.jsonl'), '{"text":"ok","intent":"orders"}\n{"text":"x","intent":"billing"}\n');
    const bad = await runCliAsync(['intent', 'eval', '--config', configPath, '--dataset', join(dir, 'bad.jsonl')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /bad\.jsonl:2: "intent" is "billing"/);
    const usage = await runCliAsync(['intent', 'eval', '--dataset', datasetPath, '--write', 'x.json']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--write needs --fit/);
  });
});
