import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowedTensorParallel, bytesPerGiB, planGpuMemory, type GpuPlanInput } from '../../src/planner/gpu-memory-plan.js';
import { defaultServingEngine, findGpu, findModel, gpuCatalog, type GpuSpec, type ModelSpec } from '../../src/planner/planner-catalog.js';
import { modelWeightBytes } from '../../src/planner/model-weight-bytes.js';
import { weightFormats, type WeightFormatId } from '../../src/planner/weight-formats.js';

const model = (id: string): ModelSpec => findModel(id) ?? assert.fail(`no model ${id}`);
const gpu = (id: string): GpuSpec => findGpu(id) ?? assert.fail(`no gpu ${id}`);

function plan(overrides: Partial<GpuPlanInput> & { model: ModelSpec; gpu: GpuSpec }) {
  return planGpuMemory({
    weightFormat: 'bf16',
    kvCacheDtype: 'bf16',
    contextTokens: 4096,
    concurrency: 1,
    promptTokens: 1024,
    engine: defaultServingEngine,
    ...overrides,
  });
}

test('KV cache per token is 2 × layers × KV heads × head dim × bytes', () => {
  const llama = model('llama-3.1-8b');
  const result = plan({ model: llama, gpu: gpu('h100-sxm') });
  assert.equal(result.kvBytesPerToken, 2 * llama.layers * llama.kvHeads * llama.headDim * 2);
  // The reference TSV's 8B shape holds 128 KiB per token.
  assert.equal(result.kvBytesPerToken, 128 * 1024);
  const fp8 = plan({ model: llama, gpu: gpu('h100-sxm'), kvCacheDtype: 'fp8' });
  assert.equal(fp8.kvBytesPerToken, result.kvBytesPerToken / 2);
});

test('KV cache is allocated in whole blocks of 16 tokens', () => {
  const llama = model('llama-3.1-8b');
  const exact = plan({ model: llama, gpu: gpu('h100-sxm'), contextTokens: 4096, concurrency: 10 });
  const oneMore = plan({ model: llama, gpu: gpu('h100-sxm'), contextTokens: 4097, concurrency: 10 });
  assert.equal(exact.contextTokensInBlocks, 4096);
  assert.equal(oneMore.contextTokensInBlocks, 4112);
  assert.ok(Math.abs(oneMore.kvCacheGiB - (10 * 4112 * exact.kvBytesPerToken) / bytesPerGiB) < 1e-9);
});

test('the KV cache splits across tensor-parallel ranks while KV heads allow, then replicates', () => {
  // Llama 70B has 8 KV heads: TP 2 halves the per-GPU KV of a token.
  const big = plan({ model: model('llama-3.1-70b'), gpu: gpu('h100-sxm'), contextTokens: 8192, concurrency: 1 });
  assert.equal(big.tensorParallel, 2);
  assert.equal(big.kvBytesPerTokenPerGpu, big.kvBytesPerToken / 2);
  // Qwen3-235B has 4 KV heads: at TP 8 each GPU still holds one whole head, twice the unsharded total.
  const moe = plan({ model: model('qwen3-235b-a22b'), gpu: gpu('h100-sxm'), contextTokens: 32768, concurrency: 8 });
  assert.equal(moe.tensorParallel, 8);
  assert.equal(moe.kvBytesPerTokenPerGpu, moe.kvBytesPerToken / 4);
  assert.ok(Math.abs(moe.kvCacheGiB - (8 * 32768 * moe.kvBytesPerTokenPerGpu * 8) / bytesPerGiB) < 1e-9);
});

test('weights scale with the data type; quantisers keep embeddings in 16-bit and GPTQ/AWQ add scale bits', () => {
  const llama = model('llama-3.1-8b');
  const bytes = (format: WeightFormatId) => modelWeightBytes(llama, weightFormats[format]).total;
  assert.equal(bytes('fp32'), llama.parametersTotal * 4);
  assert.equal(bytes('bf16'), llama.parametersTotal * 2);
  const embeddings = 2 * llama.vocabularySize * llama.hiddenSize;
  assert.equal(bytes('int8'), (llama.parametersTotal - embeddings) * 1 + embeddings * 2);
  assert.equal(bytes('int4'), (llama.parametersTotal - embeddings) * 0.5 + embeddings * 2);
  assert.ok(bytes('gptq') > bytes('int4') && bytes('gptq') < bytes('int4') * 1.04);
  assert.equal(bytes('awq'), bytes('gptq'));
});

test('a mixture of experts is sized by its total parameters, not its active ones', () => {
  const mixtral = model('mixtral-8x7b');
  const result = plan({ model: mixtral, gpu: gpu('h100-sxm') });
  assert.ok(Math.abs(result.weightsGiB * bytesPerGiB - mixtral.parametersTotal * 2) < 1e6);
  assert.ok(result.weightsGiB * bytesPerGiB > mixtral.parametersActive * 2 * 3);
});

test('brief: a ~235B model needs about 600 GB, 8 H100s of 80 GB', () => {
  const result = plan({ model: model('qwen3-235b-a22b'), gpu: gpu('h100-sxm'), contextTokens: 32768, concurrency: 8 });
  assert.equal(result.fits, true);
  assert.equal(result.totalGpus, 8);
  const totalGB = (result.totalGiB * bytesPerGiB) / 1e9;
  assert.ok(totalGB > 550 && totalGB < 650, `total ${totalGB.toFixed(0)} GB`);
  // Where the brief is loose: the weights alone are 470 GB, and FP8 halves them to fit four H100s.
  assert.ok(Math.abs((result.weightsGiB * bytesPerGiB) / 1e9 - 470) < 5);
  const fp8 = plan({ model: model('qwen3-235b-a22b'), gpu: gpu('h100-sxm'), weightFormat: 'fp8', contextTokens: 32768, concurrency: 8 });
  assert.equal(fp8.totalGpus, 4);
});

test('brief: a 7–8B model fits one A100 or H100', () => {
  for (const modelId of ['llama-3.1-8b', 'qwen2.5-7b']) {
    for (const gpuId of ['a100-40gb', 'a100-80gb', 'h100-sxm']) {
      const result = plan({ model: model(modelId), gpu: gpu(gpuId), contextTokens: 8192, concurrency: 8 });
      assert.equal(result.totalGpus, 1, `${modelId} on ${gpuId}`);
    }
  }
  // Past ~40 GB of weights it takes several GPUs: a 70B model in bf16 (131 GiB) does not fit one H100.
  assert.ok(plan({ model: model('llama-3.1-70b'), gpu: gpu('h100-sxm') }).totalGpus > 1);
});

test('brief: 8- and 4-bit cut weights four- to eightfold against 32-bit (less for small models)', () => {
  for (const entry of ['llama-3.1-8b', 'llama-3.1-70b', 'qwen2.5-7b', 'qwen3-235b-a22b', 'mixtral-8x7b']) {
    const fp32 = modelWeightBytes(model(entry), weightFormats.fp32).total;
    const eightBit = fp32 / modelWeightBytes(model(entry), weightFormats.int8).total;
    const fourBit = fp32 / modelWeightBytes(model(entry), weightFormats.int4).total;
    assert.ok(eightBit > 3.3 && eightBit <= 4, `${entry} int8 ${eightBit.toFixed(2)}×`);
    assert.ok(fourBit > 5 && fourBit <= 8, `${entry} int4 ${fourBit.toFixed(2)}×`);
  }
});

test('brief: bandwidth of the A100 is about 1.6–2.0 TB/s and of the H100 about 3.35 TB/s', () => {
  assert.ok(gpu('a100-40gb').memoryBandwidthGBps >= 1500 && gpu('a100-80gb').memoryBandwidthGBps <= 2100);
  assert.equal(gpu('h100-sxm').memoryBandwidthGBps, 3350);
  // Only the SXM part reaches 3.35 TB/s: the PCIe card has 2 TB/s.
  assert.ok(gpu('h100-pcie').memoryBandwidthGBps < 2500);
});

test('picks the tensor-parallel degree needing fewest GPUs in all, never one the heads cannot split by', () => {
  const result = plan({ model: model('llama-3.1-70b'), gpu: gpu('h100-sxm'), contextTokens: 8192, concurrency: 32 });
  assert.equal(result.tensorParallel, 4);
  assert.equal(result.replicas, 1);
  assert.ok(result.maxConcurrencyPerReplica >= 32);
  const qwen = model('qwen2.5-7b');
  assert.equal(allowedTensorParallel(qwen, 8), false);
  assert.equal(allowedTensorParallel(qwen, 4), true);
});

test('replicas cover the concurrency that one replica cannot hold', () => {
  const result = plan({ model: model('llama-3.1-8b'), gpu: gpu('l4'), contextTokens: 8192, concurrency: 100 });
  assert.equal(result.fits, true);
  assert.equal(result.replicas, Math.ceil(100 / result.maxConcurrencyPerReplica) * 1);
  assert.ok(result.replicas * result.maxConcurrencyPerReplica >= 100);
  assert.ok((result.replicas - 1) * result.maxConcurrencyPerReplica < 100);
});

test('a model too large for eight GPUs of a type does not fit, with the reason', () => {
  const result = plan({ model: model('qwen3-235b-a22b'), gpu: gpu('l4') });
  assert.equal(result.fits, false);
  assert.match(result.reason ?? '', /does not fit/);
  assert.equal(result.totalGpus, 0);
});

test('every GPU in the catalog gives a plan with positive decode speed when it fits', () => {
  for (const entry of gpuCatalog) {
    const result = plan({ model: model('llama-3.1-8b'), gpu: entry, weightFormat: 'int4', contextTokens: 2048, concurrency: 4 });
    assert.equal(result.fits, true, entry.id);
    assert.ok(result.decodeTokensPerSecondPerSequence > 0 && Number.isFinite(result.decodeTokensPerSecond), entry.id);
    assert.ok((result.timeToFirstTokenMs ?? 0) > 0, entry.id);
  }
});
