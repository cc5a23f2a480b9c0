/**
 * Sizes GPU memory for serving a model: weights in the chosen format, a paged KV cache for
 * the requested context and concurrency, runtime overhead and the engine's memory fraction;
 * then the smallest tensor-parallel degree and replica count that fit, with a roofline
 * estimate of decode speed and time to first token.
 */

import { estimateDecodeStep, estimatePrefill, kvBytesPerTokenPerRank, type DecodeEstimate, type RooflineInput } from './decode-roofline.js';
import { modelWeightBytes, type WeightBytes } from './model-weight-bytes.js';
import type { GpuSpec, ModelSpec, ServingEngine } from './planner-catalog.js';
import { kvCacheBytesPerElement, weightFormats, type KvCacheDtypeId, type WeightFormatId } from './weight-formats.js';

export const tensorParallelDegrees = [1, 2, 4, 8] as const;
export const bytesPerGiB = 1024 ** 3;

export interface GpuPlanInput {
  model: ModelSpec;
  weightFormat: WeightFormatId;
  kvCacheDtype: KvCacheDtypeId;
  /** Tokens of KV cache each sequence may hold (prompt plus generated). */
  contextTokens: number;
  /** Sequences served at the same time, over all replicas. */
  concurrency: number;
  /** Prompt length for the time-to-first-token estimate. */
  promptTokens: number;
  gpu: GpuSpec;
  engine: ServingEngine;
}

export interface PerGpuMemory {
  capacityGiB: number;
  /** What the engine may use: capacity × gpu-memory-utilization. */
  usableGiB: number;
  weightsGiB: number;
  overheadGiB: number;
  /** Room left for the KV cache. */
  kvCapacityGiB: number;
  /** KV cache the requested sequences occupy. */
  kvUsedGiB: number;
}

export interface GpuPlan {
  fits: boolean;
  /** Why nothing fits, when `fits` is false. */
  reason: string | null;
  tensorParallel: number;
  gpusPerReplica: number;
  replicas: number;
  totalGpus: number;
  /** One copy of the weights. */
  weightsGiB: number;
  /** KV cache of every requested sequence at full context, over all GPUs (replicated KV heads counted). */
  kvCacheGiB: number;
  /** Runtime overhead over all GPUs. */
  overheadGiB: number;
  /** weights × replicas + KV cache + overhead: the memory the workload needs. */
  totalGiB: number;
  /** Memory of every GPU of the plan. */
  provisionedGiB: number;
  perGpu: PerGpuMemory;
  kvBytesPerToken: number;
  kvBytesPerTokenPerGpu: number;
  /** Context rounded up to whole KV blocks. */
  contextTokensInBlocks: number;
  maxConcurrencyPerReplica: number;
  sequencesPerReplica: number;
  decode: DecodeEstimate | null;
  decodeTokensPerSecondPerSequence: number;
  decodeTokensPerSecond: number;
  timeToFirstTokenMs: number | null;
  costPerHourUsd: number | null;
  weightBytes: WeightBytes;
  notes: string[];
}

/** Tensor-parallel degrees vLLM accepts for the model: attention heads split evenly, KV heads split or replicate evenly. */
export function allowedTensorParallel(model: ModelSpec, degree: number): boolean {
  if (model.attentionHeads % degree !== 0) return false;
  return degree <= model.kvHeads ? model.kvHeads % degree === 0 : degree % model.kvHeads === 0;
}

interface Candidate {
  degree: number;
  perGpu: Omit<PerGpuMemory, 'kvUsedGiB'>;
  kvBytesPerSequencePerGpu: number;
  maxSequences: number;
}

function candidateFor(input: GpuPlanInput, degree: number, weightBytes: WeightBytes, contextTokensInBlocks: number): Candidate {
  const kvBytesPerElement = kvCacheBytesPerElement[input.kvCacheDtype];
  const capacityGiB = input.gpu.memoryGiB;
  const usableGiB = capacityGiB * input.engine.gpuMemoryUtilization;
  const weightsGiB = weightBytes.total / degree / bytesPerGiB;
  const overheadGiB = input.engine.runtimeOverheadGiBPerGpu;
  const kvCapacityGiB = usableGiB - weightsGiB - overheadGiB;
  const kvBytesPerSequencePerGpu = contextTokensInBlocks * kvBytesPerTokenPerRank(input.model, degree, kvBytesPerElement);
  const sequencesByMemory = kvCapacityGiB > 0 ? Math.floor((kvCapacityGiB * bytesPerGiB) / kvBytesPerSequencePerGpu) : 0;
  return {
    degree,
    perGpu: { capacityGiB, usableGiB, weightsGiB, overheadGiB, kvCapacityGiB },
    kvBytesPerSequencePerGpu,
    maxSequences: Math.min(sequencesByMemory, input.engine.maxSequencesPerReplica),
  };
}

/**
 * The smallest degree that holds the weights with room for one sequence is the floor; a larger
 * degree is taken only when it needs fewer GPUs in all (its bigger KV pool needs fewer replicas).
 */
function chooseCandidate(candidates: readonly Candidate[], concurrency: number): Candidate | undefined {
  let best: Candidate | undefined;
  let bestGpus = Infinity;
  for (const candidate of candidates) {
    if (candidate.maxSequences < 1) continue;
    const gpus = Math.ceil(concurrency / candidate.maxSequences) * candidate.degree;
    if (gpus < bestGpus) {
      best = candidate;
      bestGpus = gpus;
    }
  }
  return best;
}

function planNotes(input: GpuPlanInput, weightBytes: WeightBytes, plan: Pick<GpuPlan, 'fits' | 'tensorParallel'>): string[] {
  const notes: string[] = [];
  const { model } = input;
  if (input.contextTokens > model.nativeContextTokens) {
    notes.push(`context ${input.contextTokens} exceeds the model's native ${model.nativeContextTokens} tokens: it needs RoPE scaling (YaRN) and quality may drop`);
  }
  if (weightFormats[input.weightFormat].linearBits < 16) {
    const fp32Bytes = modelWeightBytes(model, weightFormats.fp32).total;
    const fold = fp32Bytes / weightBytes.total;
    notes.push(`weights are ${fold.toFixed(1)}× smaller than fp32 (the brief says 4–8× for 8- and 4-bit; embeddings and head stay 16-bit and group scales add bits); the KV cache does not shrink unless --kv-cache-dtype fp8`);
  }
  if (model.experts) {
    notes.push(`mixture of experts: memory holds all ${(model.parametersTotal / 1e9).toFixed(1)}B parameters, but a token computes with ${(model.parametersActive / 1e9).toFixed(1)}B; decode reads the experts its batch is routed to`);
  }
  if ((input.weightFormat === 'fp8') && !input.gpu.fp8) {
    notes.push(`${input.gpu.id} has no FP8 tensor cores: vLLM runs FP8 weights as weight-only (Marlin) and computes in 16-bit`);
  }
  if (plan.fits && plan.tensorParallel > model.kvHeads) {
    notes.push(`tensor parallel ${plan.tensorParallel} exceeds the ${model.kvHeads} KV heads: each KV head is stored on ${plan.tensorParallel / model.kvHeads} GPUs, so the KV cache takes ${plan.tensorParallel / model.kvHeads}× its unsharded size`);
  }
  return notes;
}

export function planGpuMemory(input: GpuPlanInput): GpuPlan {
  const format = weightFormats[input.weightFormat];
  const weightBytes = modelWeightBytes(input.model, format);
  const contextTokensInBlocks = Math.ceil(input.contextTokens / input.engine.kvBlockTokens) * input.engine.kvBlockTokens;
  const kvBytesPerElement = kvCacheBytesPerElement[input.kvCacheDtype];
  const kvBytesPerToken = 2 * input.model.layers * input.model.kvHeads * input.model.headDim * kvBytesPerElement;
  const candidates = tensorParallelDegrees
    .filter((degree) => allowedTensorParallel(input.model, degree))
    .map((degree) => candidateFor(input, degree, weightBytes, contextTokensInBlocks));
  const chosen = chooseCandidate(candidates, input.concurrency);
  const largest = candidates[candidates.length - 1];
  const weightsGiB = weightBytes.total / bytesPerGiB;

  if (!chosen || !largest) {
    const degree = largest?.degree ?? 1;
    const reason = largest
      ? `does not fit: at tensor parallel ${degree} each ${input.gpu.id} holds ${largest.perGpu.weightsGiB.toFixed(1)} GiB of weights + ${largest.perGpu.overheadGiB} GiB overhead of ${largest.perGpu.usableGiB.toFixed(1)} GiB usable, leaving no room for one sequence of ${contextTokensInBlocks} tokens of KV cache (needs pipeline parallelism across nodes, a smaller format, or a larger GPU)`
      : `no tensor-parallel degree in 1, 2, 4, 8 divides the model's ${input.model.attentionHeads} attention heads and ${input.model.kvHeads} KV heads`;
    const empty: PerGpuMemory = largest ? { ...largest.perGpu, kvUsedGiB: 0 } : { capacityGiB: input.gpu.memoryGiB, usableGiB: 0, weightsGiB, overheadGiB: 0, kvCapacityGiB: 0, kvUsedGiB: 0 };
    return {
      fits: false,
      reason,
      tensorParallel: degree,
      gpusPerReplica: degree,
      replicas: 0,
      totalGpus: 0,
      weightsGiB,
      kvCacheGiB: 0,
      overheadGiB: 0,
      totalGiB: weightsGiB,
      provisionedGiB: 0,
      perGpu: empty,
      kvBytesPerToken,
      kvBytesPerTokenPerGpu: kvBytesPerTokenPerRank(input.model, degree, kvBytesPerElement),
      contextTokensInBlocks,
      maxConcurrencyPerReplica: 0,
      sequencesPerReplica: 0,
      decode: null,
      decodeTokensPerSecondPerSequence: 0,
      decodeTokensPerSecond: 0,
      timeToFirstTokenMs: null,
      costPerHourUsd: null,
      weightBytes,
      notes: planNotes(input, weightBytes, { fits: false, tensorParallel: degree }),
    };
  }

  const replicas = Math.ceil(input.concurrency / chosen.maxSequences);
  const sequencesPerReplica = Math.ceil(input.concurrency / replicas);
  const totalGpus = replicas * chosen.degree;
  const kvCacheGiB = (input.concurrency * chosen.kvBytesPerSequencePerGpu * chosen.degree) / bytesPerGiB;
  const overheadGiB = totalGpus * input.engine.runtimeOverheadGiBPerGpu;
  const roofline: RooflineInput = { model: input.model, weightFormat: format, kvBytesPerElement, gpu: input.gpu, engine: input.engine, tensorParallel: chosen.degree };
  const decode = estimateDecodeStep(roofline, sequencesPerReplica, input.contextTokens);
  const prefill = estimatePrefill(roofline, input.promptTokens);
  const price = input.gpu.onDemandUsdPerGpuHour;
  const totalGiB = weightsGiB * replicas + kvCacheGiB + overheadGiB;
  const notes = planNotes(input, weightBytes, { fits: true, tensorParallel: chosen.degree });
  if (kvCacheGiB + overheadGiB >= 0.1 * totalGiB) {
    // Rules of thumb quote one memory figure per model; the KV share shows why that is loose.
    notes.unshift(
      `of the ${totalGiB.toFixed(0)} GiB needed, ${(weightsGiB * replicas).toFixed(0)} GiB is weights; ${kvCacheGiB.toFixed(0)} GiB is KV cache for ${input.concurrency} × ${input.contextTokens} tokens and ${overheadGiB.toFixed(0)} GiB runtime overhead: the need depends on context × concurrency, not only on the model`,
    );
  }
  return {
    fits: true,
    reason: null,
    tensorParallel: chosen.degree,
    gpusPerReplica: chosen.degree,
    replicas,
    totalGpus,
    weightsGiB,
    kvCacheGiB,
    overheadGiB,
    totalGiB,
    provisionedGiB: totalGpus * input.gpu.memoryGiB,
    perGpu: { ...chosen.perGpu, kvUsedGiB: (sequencesPerReplica * chosen.kvBytesPerSequencePerGpu) / bytesPerGiB },
    kvBytesPerToken,
    kvBytesPerTokenPerGpu: kvBytesPerTokenPerRank(input.model, chosen.degree, kvBytesPerElement),
    contextTokensInBlocks,
    maxConcurrencyPerReplica: chosen.maxSequences,
    sequencesPerReplica,
    decode,
    decodeTokensPerSecondPerSequence: decode.tokensPerSecondPerSequence,
    decodeTokensPerSecond: decode.tokensPerSecondPerSequence * input.concurrency,
    timeToFirstTokenMs: prefill.stepMs,
    costPerHourUsd: price === null ? null : price * totalGpus,
    weightBytes,
    notes,
  };
}
