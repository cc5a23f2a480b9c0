import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countModelParameters } from '../../src/planner/model-parameter-count.js';
import { gpuCatalog, modelCatalog, servingEngineCatalog } from '../../src/planner/planner-catalog.js';

const kebab = /^[a-z0-9]+(?:[.-][a-z0-9]+)*$/;

test('the catalogs hold the models and GPUs the planner promises, with kebab-case ids and sources', () => {
  const modelIds = modelCatalog.map((model) => model.id);
  for (const id of ['llama-3.1-8b', 'llama-3.1-70b', 'qwen2.5-7b', 'qwen3-235b-a22b', 'mixtral-8x7b']) assert.ok(modelIds.includes(id), id);
  const gpuIds = gpuCatalog.map((gpu) => gpu.id);
  for (const id of ['l4', 'a10g', 'l40s', 'a100-40gb', 'a100-80gb', 'h100-sxm', 'h100-pcie', 'h200', 'b200', 'mi300x']) assert.ok(gpuIds.includes(id), id);
  for (const entry of [...modelCatalog, ...gpuCatalog]) {
    assert.match(entry.id, kebab);
    assert.match(entry.source, /https?:\/\/|\.tsv|config\.json/, `${entry.id} names its source`);
  }
  for (const gpu of gpuCatalog) {
    assert.ok(gpu.onDemandUsdPerGpuHour === null || gpu.onDemandUsdPerGpuHour > 0);
    assert.ok(gpu.priceSource.length > 0);
  }
  for (const entry of Object.values(servingEngineCatalog)) assert.ok(['published', 'assumed', 'measured'].includes(entry.provenance));
});

test('each catalog model shape recounts to its published parameter totals (within 1.5%)', () => {
  for (const model of modelCatalog) {
    const count = countModelParameters(model);
    const totalError = Math.abs(count.total - model.parametersTotal) / model.parametersTotal;
    const activeError = Math.abs(count.active - model.parametersActive) / model.parametersActive;
    assert.ok(totalError < 0.015, `${model.id} total: shape ${count.total}, catalog ${model.parametersTotal}`);
    assert.ok(activeError < 0.015, `${model.id} active: shape ${count.active}, catalog ${model.parametersActive}`);
    assert.equal(model.attentionHeads % model.kvHeads, 0);
  }
});

test('dense models count exactly: Llama 3.1 8B has 8,030,261,248 parameters', () => {
  const llama = modelCatalog.find((model) => model.id === 'llama-3.1-8b')!;
  assert.equal(countModelParameters(llama).total, 8_030_261_248);
});
