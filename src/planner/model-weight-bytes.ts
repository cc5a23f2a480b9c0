/** Bytes of a model's weights in a given format, split into what a decode step reads in full and what it reads in part. */

import { countModelParameters } from './model-parameter-count.js';
import type { ModelSpec } from './planner-catalog.js';
import type { WeightFormat } from './weight-formats.js';

export interface WeightBytes {
  /** Everything stored: what the GPUs must hold. */
  total: number;
  /** The input embedding table: stored, but a step reads one row per token. */
  inputEmbedding: number;
  /** The output head, or the tied embedding table read as the head: read in full every step. */
  outputHead: number;
  /** Attention, dense MLPs, shared experts, routers, norms: read in full every step. */
  sharedLinear: number;
  /** All routed experts: a step reads the ones its tokens were routed to. */
  expertsAll: number;
  /** One expert across all layers (zero for a dense model). */
  perExpert: number;
}

/**
 * The catalog's published total is trusted for the size; the shape only decides how it splits
 * into embeddings, shared weights and experts.
 */
export function modelWeightBytes(model: ModelSpec, format: WeightFormat): WeightBytes {
  const count = countModelParameters(model);
  const embeddingBytesPerParameter = format.embeddingBits / 8;
  const linearBytesPerParameter = format.linearBits / 8;
  const inputEmbeddingParameters = count.inputEmbedding;
  const outputHeadParameters = model.tiedEmbeddings ? 0 : count.outputHead;
  const linearParameters = Math.max(0, model.parametersTotal - inputEmbeddingParameters - outputHeadParameters);
  const expertsParameters = Math.min(count.expertsAll, linearParameters);
  const inputEmbedding = inputEmbeddingParameters * embeddingBytesPerParameter;
  const outputHead = (model.tiedEmbeddings ? inputEmbeddingParameters : outputHeadParameters) * embeddingBytesPerParameter;
  const sharedLinear = (linearParameters - expertsParameters) * linearBytesPerParameter;
  const expertsAll = expertsParameters * linearBytesPerParameter;
  return {
    total: inputEmbedding + (model.tiedEmbeddings ? 0 : outputHead) + sharedLinear + expertsAll,
    inputEmbedding,
    outputHead,
    sharedLinear,
    expertsAll,
    perExpert: model.experts ? expertsAll / model.experts.count : 0,
  };
}

/** Share of a layer's experts that at least one of `tokens` is routed to, with uniform routing. */
export function touchedExpertFraction(model: ModelSpec, tokens: number): number {
  if (!model.experts) return 0;
  const missProbability = 1 - model.experts.perToken / model.experts.count;
  return 1 - Math.pow(missProbability, Math.max(0, tokens));
}
