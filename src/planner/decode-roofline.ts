/**
 * Decode-step and prefill time from a bandwidth/compute roofline: step = max(memory time,
 * compute time) + tensor-parallel all-reduces + a fixed per-step overhead. No per-row fitting:
 * every constant comes from the GPU and serving-engine catalogs.
 */

import { modelWeightBytes, touchedExpertFraction } from './model-weight-bytes.js';
import type { GpuSpec, ModelSpec, ServingEngine } from './planner-catalog.js';
import type { WeightFormat } from './weight-formats.js';

export interface RooflineInput {
  model: ModelSpec;
  weightFormat: WeightFormat;
  kvBytesPerElement: number;
  gpu: GpuSpec;
  engine: ServingEngine;
  tensorParallel: number;
}

export interface StepEstimate {
  stepMs: number;
  memoryMs: number;
  computeMs: number;
  communicationMs: number;
  overheadMs: number;
  bound: 'memory' | 'compute';
  /** Bytes one GPU reads from its memory in the step. */
  bytesPerGpu: number;
  flopsPerGpu: number;
}

export interface DecodeEstimate extends StepEstimate {
  batch: number;
  contextTokens: number;
  tokensPerSecondPerSequence: number;
  /** Tokens per second of the whole batch on one replica. */
  tokensPerSecondPerReplica: number;
}

/** KV heads one rank stores: split while there are enough, replicated once TP exceeds them (as vLLM does). */
export function kvHeadsPerRank(model: ModelSpec, tensorParallel: number): number {
  return Math.ceil(model.kvHeads / tensorParallel);
}

/** KV-cache bytes per token on one rank: keys and values of every layer for the rank's KV heads. */
export function kvBytesPerTokenPerRank(model: ModelSpec, tensorParallel: number, kvBytesPerElement: number): number {
  return 2 * model.layers * kvHeadsPerRank(model, tensorParallel) * model.headDim * kvBytesPerElement;
}

/** Two all-reduces per layer (after attention and after the MLP), ring algorithm, on the activations of `tokens`. */
function allReduceMs(input: RooflineInput, tokens: number): number {
  const ranks = input.tensorParallel;
  if (ranks <= 1) return 0;
  const activationBytes = tokens * input.model.hiddenSize * 2;
  const transferSeconds = ((2 * (ranks - 1)) / ranks) * activationBytes / (input.gpu.interconnectGBps * 1e9);
  return 2 * input.model.layers * (input.gpu.allReduceLatencyUs / 1000 + transferSeconds * 1000);
}

function combine(input: RooflineInput, bytesPerGpu: number, flopsPerGpu: number, tokens: number): StepEstimate {
  const bandwidth = input.gpu.memoryBandwidthGBps * 1e9 * input.gpu.achievableBandwidthFraction;
  const throughput = input.gpu.denseBf16Tflops * 1e12 * input.engine.computeEfficiency;
  const memoryMs = (bytesPerGpu / bandwidth) * 1000;
  const computeMs = (flopsPerGpu / throughput) * 1000;
  const communicationMs = allReduceMs(input, tokens);
  const overheadMs = input.engine.perStepOverheadMs;
  return {
    stepMs: Math.max(memoryMs, computeMs) + communicationMs + overheadMs,
    memoryMs,
    computeMs,
    communicationMs,
    overheadMs,
    bound: memoryMs >= computeMs ? 'memory' : 'compute',
    bytesPerGpu,
    flopsPerGpu,
  };
}

/** Weight bytes one step reads: shared weights and the head in full, experts as far as the step's tokens touch them. */
function weightBytesRead(input: RooflineInput, tokens: number): number {
  const bytes = modelWeightBytes(input.model, input.weightFormat);
  return bytes.sharedLinear + bytes.outputHead + bytes.expertsAll * (input.model.experts ? touchedExpertFraction(input.model, tokens) : 1);
}

/** Matmul FLOPs per token outside attention: twice the parameters a token uses, minus the embedding lookup. */
function linearFlopsPerToken(model: ModelSpec): number {
  return 2 * (model.parametersActive - model.vocabularySize * model.hiddenSize * (model.tiedEmbeddings ? 0 : 1));
}

/**
 * One decode step of `batch` sequences that each hold `contextTokens` of KV cache: each GPU
 * reads its share of the weights once and every sequence's KV cache once.
 */
export function estimateDecodeStep(input: RooflineInput, batch: number, contextTokens: number): DecodeEstimate {
  const { model, tensorParallel } = input;
  const kvBytes = batch * contextTokens * kvBytesPerTokenPerRank(model, tensorParallel, input.kvBytesPerElement);
  const bytesPerGpu = weightBytesRead(input, batch) / tensorParallel + kvBytes;
  const attentionFlops = 4 * batch * contextTokens * model.layers * model.attentionHeads * model.headDim;
  const flopsPerGpu = (linearFlopsPerToken(model) * batch + attentionFlops) / tensorParallel;
  const step = combine(input, bytesPerGpu, flopsPerGpu, batch);
  const tokensPerSecondPerSequence = 1000 / step.stepMs;
  return { ...step, batch, contextTokens, tokensPerSecondPerSequence, tokensPerSecondPerReplica: tokensPerSecondPerSequence * batch };
}

/** Prefill of one prompt with nothing else running: the time to first token before any queueing. */
export function estimatePrefill(input: RooflineInput, promptTokens: number): StepEstimate {
  const { model, tensorParallel } = input;
  const kvWriteBytes = promptTokens * kvBytesPerTokenPerRank(model, tensorParallel, input.kvBytesPerElement);
  const bytesPerGpu = weightBytesRead(input, promptTokens) / tensorParallel + kvWriteBytes;
  // Causal attention: QK^T and PV over half the square of the prompt.
  const attentionFlops = 2 * model.layers * promptTokens * promptTokens * model.attentionHeads * model.headDim;
  const flopsPerGpu = (linearFlopsPerToken(model) * promptTokens + attentionFlops) / tensorParallel;
  return combine(input, bytesPerGpu, flopsPerGpu, promptTokens);
}
