/**
 * The embedding tier: the message's vector from a configured route's `/v1/embeddings`, cosine to every
 * example of every agent, and each agent's score the mean of its top k. Example vectors are computed once:
 * the store's embedding cache keeps them by model and text hash, so a restart or another pod embeds nothing.
 */

import { createHash } from 'node:crypto';
import type { Embedder } from '../models/route-embedder.js';
import type { EmbeddingCache } from '../stores/store-types.js';
import { noOpinion, outOfScopeLabel, throwIfCancelled, unitScore, type IntentClassifier, type IntentInput, type IntentResult } from './intent-classifier.js';
import type { TrainingClass } from './trained-intent-classifier.js';

export interface EmbeddingTierOptions {
  embedder: Embedder;
  /** What the vectors are keyed by in the cache: vectors of another model mean nothing here. */
  model: string;
  cache: EmbeddingCache;
  topK: number;
}

/** The cache key of a text: its SHA-256, so long examples make short keys and the store never sees the text. */
export function embeddingKey(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

interface Example {
  label: number;
  vector: Float64Array;
}

function unit(vector: readonly number[]): Float64Array {
  const result = Float64Array.from(vector);
  let norm = 0;
  for (const value of result) norm += value * value;
  norm = Math.sqrt(norm) || 1;
  for (let index = 0; index < result.length; index++) result[index]! /= norm;
  return result;
}

export class EmbeddingIntentClassifier implements IntentClassifier {
  readonly #classes: { agent: string; intent: string }[];
  readonly #texts: { label: number; text: string }[];
  readonly #options: EmbeddingTierOptions;
  #examples: Example[] = [];
  #ready = false;

  constructor(classes: readonly TrainingClass[], options: EmbeddingTierOptions) {
    if (!Number.isInteger(options.topK) || options.topK < 1) throw new TypeError('EmbeddingIntentClassifier: topK must be a positive integer');
    const usable = classes.filter((entry) => entry.examples.length > 0);
    this.#classes = usable.map(({ agent, intent }) => ({ agent, intent }));
    this.#texts = usable.flatMap((entry, label) => entry.examples.map((text) => ({ label, text })));
    this.#options = options;
  }

  get ready(): boolean {
    return this.#ready;
  }

  /** Loads the example vectors from the cache and embeds (then stores) only the missing ones. Called once per generation. */
  async prepare(signal?: AbortSignal): Promise<{ cached: number; embedded: number }> {
    const { cache, model, embedder } = this.#options;
    const keys = this.#texts.map(({ text }) => embeddingKey(text));
    const stored = await cache.get(model, keys);
    const missing = stored.flatMap((vector, index) => (vector === undefined ? [index] : []));
    if (missing.length > 0) {
      const vectors = await embedder.embed(missing.map((index) => this.#texts[index]!.text), signal);
      if (vectors.length !== missing.length) throw new Error(`the embeddings route answered ${vectors.length} vectors for ${missing.length} examples`);
      missing.forEach((index, position) => (stored[index] = vectors[position]));
      await cache.put(model, missing.map((index, position) => ({ key: keys[index]!, vector: vectors[position]! })));
    }
    this.#examples = this.#texts.map(({ label }, index) => ({ label, vector: unit(stored[index]!) }));
    this.#ready = true;
    return { cached: keys.length - missing.length, embedded: missing.length };
  }

  async classify(input: IntentInput, signal: AbortSignal): Promise<IntentResult> {
    throwIfCancelled(signal);
    if (!this.#ready || this.#classes.length === 0) return noOpinion('embedding');
    const [vector] = await this.#options.embedder.embed([input.text], signal, input.accountModelCall);
    if (!vector) return noOpinion('embedding');
    const query = unit(vector);
    const similarities: number[][] = this.#classes.map(() => []);
    for (const example of this.#examples) {
      let dot = 0;
      const length = Math.min(query.length, example.vector.length);
      for (let index = 0; index < length; index++) dot += query[index]! * example.vector[index]!;
      similarities[example.label]!.push(dot);
    }
    let best = -1;
    let bestScore = 0;
    let runnerUp = 0;
    for (const [label, values] of similarities.entries()) {
      values.sort((a, b) => b - a);
      const top = values.slice(0, this.#options.topK);
      const score = unitScore(top.reduce((sum, value) => sum + value, 0) / top.length);
      if (score > bestScore) {
        runnerUp = bestScore;
        bestScore = score;
        best = label;
      } else if (score > runnerUp) runnerUp = score;
    }
    if (best < 0) return noOpinion('embedding');
    const winner = this.#classes[best]!;
    return { agent: winner.agent, intent: winner.agent === outOfScopeLabel ? outOfScopeLabel : winner.intent, confidence: bestScore, margin: unitScore(bestScore - runnerUp), source: 'embedding' };
  }
}
