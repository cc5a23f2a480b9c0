import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { estimateDecodeStep, estimatePrefill, type RooflineInput } from '../../src/planner/decode-roofline.js';
import { touchedExpertFraction } from '../../src/planner/model-weight-bytes.js';
import { defaultServingEngine, findGpu, findModel } from '../../src/planner/planner-catalog.js';
import { weightFormats } from '../../src/planner/weight-formats.js';

/** The repository root: the nearest directory above this file with a package.json. */
function repositoryRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error('no package.json above the test file');
    directory = parent;
  }
  return directory;
}

// Measured on one H100; where it comes from is stated in the fixture's first line.
const referencePath = resolve(repositoryRoot(), 'test/planner/fixtures/h100-decode-8b-shape.tsv');

function readReference(): { contextTokens: number; batch: number; stepMs: number }[] {
  const rows = readFileSync(referencePath, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#') && !line.startsWith('ctx'))
    .map((line) => {
      const [context, batch, stepMs] = line.split('\t').map(Number);
      return { contextTokens: context!, batch: batch!, stepMs: stepMs! };
    });
  assert.ok(rows.length >= 10, `expected the reference rows in ${referencePath}`);
  return rows;
}

const h100Input: RooflineInput = {
  model: findModel('llama-3.1-8b')!,
  weightFormat: weightFormats.bf16,
  kvBytesPerElement: 2,
  gpu: findGpu('h100-sxm')!,
  engine: defaultServingEngine,
  tensorParallel: 1,
};

test('the roofline lands within 30% of every measured H100 decode step in the reference TSV', () => {
  for (const row of readReference()) {
    const estimate = estimateDecodeStep(h100Input, row.batch, row.contextTokens);
    const error = (estimate.stepMs - row.stepMs) / row.stepMs;
    assert.ok(Math.abs(error) <= 0.3, `ctx ${row.contextTokens} batch ${row.batch}: estimated ${estimate.stepMs.toFixed(2)} ms, measured ${row.stepMs} ms (${(error * 100).toFixed(1)}%)`);
  }
});

test('the roofline streams the 15.0 GB the reference describes for the 8B shape without its embedding table', () => {
  const estimate = estimateDecodeStep(h100Input, 1, 0);
  assert.ok(Math.abs(estimate.bytesPerGpu / 1e9 - 15.0) < 0.05, `${(estimate.bytesPerGpu / 1e9).toFixed(2)} GB`);
});

test('decode is memory-bound at small batches and turns compute-bound with a large batch and no context', () => {
  assert.equal(estimateDecodeStep(h100Input, 1, 4096).bound, 'memory');
  assert.equal(estimateDecodeStep(h100Input, 256, 0).bound, 'compute');
  // With context, every sequence adds its KV cache to each step: step time grows with the batch.
  let previous = 0;
  for (const batch of [1, 8, 32, 64, 128, 256]) {
    const step = estimateDecodeStep(h100Input, batch, 4096).stepMs;
    assert.ok(step > previous);
    previous = step;
  }
});

test('more bandwidth gives faster decode; tensor parallelism adds all-reduce time', () => {
  const h200 = estimateDecodeStep({ ...h100Input, gpu: findGpu('h200')! }, 8, 4096);
  const h100 = estimateDecodeStep(h100Input, 8, 4096);
  assert.ok(h200.stepMs < h100.stepMs);
  const split = estimateDecodeStep({ ...h100Input, tensorParallel: 2 }, 8, 4096);
  assert.ok(split.communicationMs > 0 && split.memoryMs < h100.memoryMs);
});

test('a mixture of experts reads more experts as the batch grows', () => {
  const qwen = findModel('qwen3-235b-a22b')!;
  assert.ok(Math.abs(touchedExpertFraction(qwen, 1) - 8 / 128) < 1e-12);
  assert.ok(touchedExpertFraction(qwen, 64) > 0.95);
  const input = { ...h100Input, model: qwen, tensorParallel: 8 };
  assert.ok(estimateDecodeStep(input, 64, 0).bytesPerGpu > 5 * estimateDecodeStep(input, 1, 0).bytesPerGpu);
});

test('time to first token grows with the prompt and is compute-bound for long prompts', () => {
  const short = estimatePrefill(h100Input, 128);
  const long = estimatePrefill(h100Input, 8192);
  assert.equal(long.bound, 'compute');
  assert.ok(long.stepMs > 10 * short.stepMs);
});
