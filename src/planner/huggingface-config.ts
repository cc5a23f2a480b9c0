/** Reads a Hugging Face `config.json` into the planner's model shape, counting its parameters from the shape. */

import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { countModelParameters } from './model-parameter-count.js';
import type { ModelSpec } from './planner-catalog.js';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first of `keys` that holds a positive integer, or undefined. */
function optionalInteger(config: JsonObject, keys: readonly string[], file: string): number | undefined {
  for (const key of keys) {
    const value = config[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new Error(`${file}: "${key}" must be a positive integer, got ${JSON.stringify(value)}`);
    }
    return value;
  }
  return undefined;
}

function requiredInteger(config: JsonObject, keys: readonly string[], file: string): number {
  const value = optionalInteger(config, keys, file);
  if (value === undefined) throw new Error(`${file}: missing "${keys[0]}" (not a decoder-only transformer config?)`);
  return value;
}

/** Model families whose attention projections carry biases although their config does not say so. */
const biasedAttentionFamilies = new Set(['qwen2', 'qwen2_moe']);

/** Parses the text of a config.json; `file` names it in errors and gives the model its id. */
export function modelFromHuggingFaceConfig(text: string, file: string): ModelSpec {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(parsed)) throw new Error(`${file}: expected a JSON object`);
  // Multimodal wrappers (LLaVA, Gemma 3, Llama 4) keep the language model under text_config.
  const config: JsonObject = isObject(parsed.text_config) ? { ...parsed, ...parsed.text_config } : parsed;
  if (config.kv_lora_rank !== undefined) {
    throw new Error(`${file}: multi-head latent attention (DeepSeek-style kv_lora_rank) is not supported by the planner's KV-cache formula`);
  }
  const hiddenSize = requiredInteger(config, ['hidden_size', 'n_embd', 'd_model'], file);
  const attentionHeads = requiredInteger(config, ['num_attention_heads', 'n_head'], file);
  const layers = requiredInteger(config, ['num_hidden_layers', 'n_layer'], file);
  const kvHeads = optionalInteger(config, ['num_key_value_heads', 'num_kv_heads'], file) ?? attentionHeads;
  const headDim = optionalInteger(config, ['head_dim'], file) ?? hiddenSize / attentionHeads;
  if (!Number.isInteger(headDim)) throw new Error(`${file}: hidden_size ${hiddenSize} is not a multiple of num_attention_heads ${attentionHeads}; give head_dim`);
  if (attentionHeads % kvHeads !== 0) throw new Error(`${file}: num_attention_heads ${attentionHeads} is not a multiple of num_key_value_heads ${kvHeads}`);
  const vocabularySize = requiredInteger(config, ['vocab_size'], file);
  const intermediateSize = requiredInteger(config, ['intermediate_size', 'ffn_dim', 'n_inner'], file);
  const expertCount = optionalInteger(config, ['num_local_experts', 'num_experts', 'n_routed_experts'], file);
  const expertsPerToken = optionalInteger(config, ['num_experts_per_tok', 'num_experts_per_token', 'moe_top_k'], file);
  let experts: ModelSpec['experts'] = null;
  if (expertCount !== undefined && expertCount > 1) {
    if (expertsPerToken === undefined) throw new Error(`${file}: has ${expertCount} experts but no "num_experts_per_tok"`);
    const sharedIntermediateSize = optionalInteger(config, ['shared_expert_intermediate_size'], file);
    experts = {
      count: expertCount,
      perToken: expertsPerToken,
      intermediateSize: optionalInteger(config, ['moe_intermediate_size'], file) ?? intermediateSize,
      ...(sharedIntermediateSize === undefined ? {} : { sharedIntermediateSize }),
    };
  }
  // max_position_embeddings is what the checkpoint was trained or extended to (Llama 3.1's llama3 RoPE
  // scaling is part of its training, so original_max_position_embeddings would understate it).
  const nativeContextTokens = optionalInteger(config, ['max_position_embeddings', 'n_positions', 'max_sequence_length'], file) ?? 4096;
  const modelType = typeof config.model_type === 'string' ? config.model_type : 'unknown';
  const shape = {
    layers,
    hiddenSize,
    attentionHeads,
    kvHeads,
    headDim,
    intermediateSize,
    vocabularySize,
    tiedEmbeddings: config.tie_word_embeddings === true,
    attentionBias: config.attention_bias === true || biasedAttentionFamilies.has(modelType),
    experts,
  };
  const count = countModelParameters(shape);
  const name = typeof config._name_or_path === 'string' && config._name_or_path !== '' ? config._name_or_path : basename(dirname(file)) || file;
  return {
    id: file,
    name: `${name} (${modelType})`,
    ...shape,
    nativeContextTokens,
    parametersTotal: count.total,
    parametersActive: count.active,
    source: `${file} (Hugging Face config; parameters counted from the shape)`,
  };
}

export function readHuggingFaceConfig(file: string): ModelSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read model config ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return modelFromHuggingFaceConfig(text, file);
}
