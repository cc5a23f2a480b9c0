import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelFromHuggingFaceConfig, readHuggingFaceConfig } from '../../src/planner/huggingface-config.js';
import { findModel } from '../../src/planner/planner-catalog.js';

const llamaConfig = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: 4096,
  intermediate_size: 14336,
  num_attention_heads: 32,
  num_hidden_layers: 32,
  num_key_value_heads: 8,
  vocab_size: 128256,
  max_position_embeddings: 131072,
  rope_scaling: { factor: 8.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
};

const qwen3MoeConfig = {
  model_type: 'qwen3_moe',
  hidden_size: 4096,
  head_dim: 128,
  intermediate_size: 12288,
  moe_intermediate_size: 1536,
  num_attention_heads: 64,
  num_experts: 128,
  num_experts_per_tok: 8,
  num_hidden_layers: 94,
  num_key_value_heads: 4,
  vocab_size: 151936,
  max_position_embeddings: 40960,
  tie_word_embeddings: false,
};

test('a Llama config.json gives the catalog shape and the exact parameter count', () => {
  const directory = mkdtempSync(join(tmpdir(), 'switchboard-hf-'));
  try {
    const file = join(directory, 'config.json');
    writeFileSync(file, JSON.stringify(llamaConfig));
    const model = readHuggingFaceConfig(file);
    const catalog = findModel('llama-3.1-8b')!;
    for (const field of ['layers', 'hiddenSize', 'attentionHeads', 'kvHeads', 'headDim', 'vocabularySize', 'nativeContextTokens'] as const) {
      assert.equal(model[field], catalog[field], field);
    }
    assert.equal(model.parametersTotal, catalog.parametersTotal);
    assert.equal(model.experts, null);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('a mixture-of-experts config counts every expert in the total and the routed ones as active', () => {
  const model = modelFromHuggingFaceConfig(JSON.stringify(qwen3MoeConfig), 'qwen3/config.json');
  const catalog = findModel('qwen3-235b-a22b')!;
  assert.deepEqual(model.experts, { count: 128, perToken: 8, intermediateSize: 1536 });
  assert.ok(Math.abs(model.parametersTotal - catalog.parametersTotal) / catalog.parametersTotal < 0.001);
  assert.ok(model.parametersActive > 21e9 && model.parametersActive < 23e9);
  const mixtral = modelFromHuggingFaceConfig(
    JSON.stringify({ model_type: 'mixtral', hidden_size: 4096, intermediate_size: 14336, num_attention_heads: 32, num_hidden_layers: 32, num_key_value_heads: 8, num_local_experts: 8, num_experts_per_tok: 2, vocab_size: 32000, max_position_embeddings: 32768 }),
    'mixtral/config.json',
  );
  assert.ok(Math.abs(mixtral.parametersTotal - 46.7e9) / 46.7e9 < 0.01);
  assert.ok(Math.abs(mixtral.parametersActive - 12.9e9) / 12.9e9 < 0.01);
});

test('bad configs are clear errors naming the problem', () => {
  assert.throws(() => modelFromHuggingFaceConfig('{not json', 'bad.json'), /bad\.json: not valid JSON/);
  assert.throws(() => modelFromHuggingFaceConfig('[1,2]', 'list.json'), /expected a JSON object/);
  const { num_hidden_layers: _omitted, ...withoutLayers } = llamaConfig;
  assert.throws(() => modelFromHuggingFaceConfig(JSON.stringify(withoutLayers), 'x.json'), /missing "num_hidden_layers"/);
  assert.throws(() => modelFromHuggingFaceConfig(JSON.stringify({ ...llamaConfig, hidden_size: 'big' }), 'x.json'), /"hidden_size" must be a positive integer/);
  assert.throws(() => modelFromHuggingFaceConfig(JSON.stringify({ ...llamaConfig, kv_lora_rank: 512 }), 'x.json'), /latent attention/);
  assert.throws(() => readHuggingFaceConfig(join(tmpdir(), 'switchboard-no-such-dir', 'config.json')), /cannot read model config/);
});
