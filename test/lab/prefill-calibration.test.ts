import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PREFILL_TOKENS_PER_SECOND } from '../../src/lab/llm-simulator-options.js';
import { estimatePrefill } from '../../src/planner/decode-roofline.js';
import { defaultServingEngine, findGpu, findModel } from '../../src/planner/planner-catalog.js';
import { kvCacheBytesPerElement, weightFormats } from '../../src/planner/weight-formats.js';

// The simulator may not import the planner (lab and planner stand apart), so its default is a copied figure:
// this test keeps it honest when the planner's roofline or catalogs change.
test('the default prefill speed is the planner\'s: Llama 3.1 8B BF16 on one H100 SXM, 2,048-token prompt, within 5%', () => {
  const promptTokens = 2048;
  const estimate = estimatePrefill(
    { model: findModel('llama-3.1-8b')!, weightFormat: weightFormats.bf16, kvBytesPerElement: kvCacheBytesPerElement.bf16, gpu: findGpu('h100-sxm')!, engine: defaultServingEngine, tensorParallel: 1 },
    promptTokens,
  );
  const plannerTokensPerSecond = (promptTokens / estimate.stepMs) * 1000;
  const ratio = DEFAULT_PREFILL_TOKENS_PER_SECOND / plannerTokensPerSecond;
  assert.ok(ratio > 0.95 && ratio < 1.05, `simulator ${DEFAULT_PREFILL_TOKENS_PER_SECOND} tokens/s vs planner ${plannerTokensPerSecond.toFixed(0)} tokens/s`);
});
