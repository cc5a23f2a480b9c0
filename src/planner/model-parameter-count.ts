/** Counts a transformer's parameters from its shape, split into the parts that are stored and read differently. */

import type { ModelSpec } from './planner-catalog.js';

/** The fields of a model that fix its parameter count. */
export type ModelShape = Pick<
  ModelSpec,
  'layers' | 'hiddenSize' | 'attentionHeads' | 'kvHeads' | 'headDim' | 'intermediateSize' | 'vocabularySize' | 'tiedEmbeddings' | 'attentionBias' | 'experts'
>;

export interface ParameterBreakdown {
  /** The input embedding table (vocabulary × hidden); decode reads only one row per token. */
  inputEmbedding: number;
  /** The output projection; zero when tied to the input embedding (the shared table is then read as the head). */
  outputHead: number;
  /** Attention projections (and their biases) of every layer. */
  attention: number;
  /** Dense gated MLPs of every layer (for a mixture of experts, only its shared expert if it has one). */
  denseMlp: number;
  /** Every expert of every layer. */
  expertsAll: number;
  /** The experts one token uses, summed over layers. */
  expertsActive: number;
  /** Routers and norms: small, counted with the linear weights. */
  routersAndNorms: number;
  total: number;
  active: number;
}

/** Gated (SwiGLU) MLP: gate, up and down projections. */
function gatedMlpParameters(hiddenSize: number, intermediateSize: number): number {
  return 3 * hiddenSize * intermediateSize;
}

export function countModelParameters(shape: ModelShape): ParameterBreakdown {
  const { layers, hiddenSize, attentionHeads, kvHeads, headDim, vocabularySize } = shape;
  const inputEmbedding = vocabularySize * hiddenSize;
  const outputHead = shape.tiedEmbeddings ? 0 : vocabularySize * hiddenSize;
  const queryWidth = attentionHeads * headDim;
  const keyValueWidth = kvHeads * headDim;
  const attentionPerLayer =
    hiddenSize * queryWidth + 2 * hiddenSize * keyValueWidth + queryWidth * hiddenSize + (shape.attentionBias ? queryWidth + 2 * keyValueWidth : 0);
  const attention = layers * attentionPerLayer;
  let denseMlp = 0;
  let expertsAll = 0;
  let expertsActive = 0;
  let routersAndNorms = layers * 2 * hiddenSize + hiddenSize;
  if (shape.experts) {
    const perExpert = gatedMlpParameters(hiddenSize, shape.experts.intermediateSize);
    expertsAll = layers * shape.experts.count * perExpert;
    expertsActive = layers * shape.experts.perToken * perExpert;
    routersAndNorms += layers * hiddenSize * shape.experts.count;
    if (shape.experts.sharedIntermediateSize !== undefined) denseMlp = layers * gatedMlpParameters(hiddenSize, shape.experts.sharedIntermediateSize);
  } else {
    denseMlp = layers * gatedMlpParameters(hiddenSize, shape.intermediateSize);
  }
  const shared = inputEmbedding + outputHead + attention + denseMlp + routersAndNorms;
  return {
    inputEmbedding,
    outputHead,
    attention,
    denseMlp,
    expertsAll,
    expertsActive,
    routersAndNorms,
    total: shared + expertsAll,
    active: shared + expertsActive,
  };
}
