/**
 * The trained tier: TF-IDF over word and character n-grams (text-features.ts), one centroid per agent fitted
 * at start-up from its `examples` (and one for out-of-scope examples), cosine to each centroid. Nearest
 * centroid needs no iterations and no weights to download, and on a few dozen examples per class it is as
 * good as a linear model; a message costs microseconds.
 */

import { noOpinion, outOfScopeLabel, throwIfCancelled, unitScore, type IntentClassifier, type IntentInput, type IntentResult } from './intent-classifier.js';
import { forEachFeature } from './text-features.js';

export interface TrainingClass {
  /** An agent's name, or `none`. */
  agent: string;
  intent: string;
  examples: readonly string[];
}

interface Column {
  index: number;
  idf: number;
}

function termCounts(text: string): Map<number, number> {
  const counts = new Map<number, number>();
  forEachFeature(text, (feature) => counts.set(feature, (counts.get(feature) ?? 0) + 1));
  return counts;
}

export class TrainedIntentClassifier implements IntentClassifier {
  readonly #classes: { agent: string; intent: string }[];
  readonly #columns = new Map<number, Column>();
  readonly #centroids: Float64Array[];
  /** The idf of a feature no example had: as rare as can be, so unknown words weigh on the norm. */
  readonly #unseenIdf: number;

  constructor(classes: readonly TrainingClass[]) {
    const usable = classes.filter((entry) => entry.examples.length > 0);
    this.#classes = usable.map(({ agent, intent }) => ({ agent, intent }));
    const documents = usable.flatMap((entry, label) => entry.examples.map((text) => ({ label, counts: termCounts(text) })));
    const documentFrequency = new Map<number, number>();
    for (const { counts } of documents) for (const feature of counts.keys()) documentFrequency.set(feature, (documentFrequency.get(feature) ?? 0) + 1);
    // Smoothed idf, as scikit-learn's TfidfVectorizer: ln((1 + n) / (1 + df)) + 1.
    const total = documents.length;
    for (const [feature, frequency] of documentFrequency) this.#columns.set(feature, { index: this.#columns.size, idf: Math.log((1 + total) / (1 + frequency)) + 1 });
    this.#unseenIdf = Math.log(1 + total) + 1;
    this.#centroids = usable.map(() => new Float64Array(this.#columns.size));
    for (const { label, counts } of documents) {
      const centroid = this.#centroids[label]!;
      const weights = [...counts].map(([feature, count]) => ({ column: this.#columns.get(feature)!, weight: (1 + Math.log(count)) * this.#columns.get(feature)!.idf }));
      const norm = Math.hypot(...weights.map((entry) => entry.weight)) || 1;
      for (const { column, weight } of weights) centroid[column.index]! += weight / norm;
    }
    for (const centroid of this.#centroids) {
      let norm = 0;
      for (const value of centroid) norm += value * value;
      norm = Math.sqrt(norm) || 1;
      for (let index = 0; index < centroid.length; index++) centroid[index]! /= norm;
    }
  }

  /** Whether any class had examples; with none the tier has no opinion on anything. */
  get trained(): boolean {
    return this.#classes.length > 0;
  }

  /** Cosine of the message to each class centroid, in the order of the classes given. */
  scores(text: string): { agent: string; intent: string; score: number }[] {
    const counts = termCounts(text);
    const dots = new Float64Array(this.#classes.length);
    let norm = 0;
    for (const [feature, count] of counts) {
      const column = this.#columns.get(feature);
      const weight = (1 + Math.log(count)) * (column?.idf ?? this.#unseenIdf);
      norm += weight * weight;
      if (!column) continue;
      for (let label = 0; label < dots.length; label++) dots[label]! += weight * this.#centroids[label]![column.index]!;
    }
    norm = Math.sqrt(norm) || 1;
    return this.#classes.map((entry, label) => ({ ...entry, score: unitScore(dots[label]! / norm) }));
  }

  // async, so a cancelled turn gets a rejected promise, as from every tier, not a synchronous throw.
  async classify(input: IntentInput, signal: AbortSignal): Promise<IntentResult> {
    throwIfCancelled(signal);
    return this.classifyNow(input.text);
  }

  /** The synchronous core, for the benchmark and the cascade's hot path. */
  classifyNow(text: string): IntentResult {
    if (this.#classes.length === 0) return noOpinion('trained');
    let best = -1;
    let bestScore = 0;
    let runnerUp = 0;
    for (const [label, { score }] of this.scores(text).entries()) {
      if (score > bestScore) {
        runnerUp = bestScore;
        bestScore = score;
        best = label;
      } else if (score > runnerUp) runnerUp = score;
    }
    if (best < 0) return noOpinion('trained');
    const winner = this.#classes[best]!;
    return { agent: winner.agent, intent: winner.agent === outOfScopeLabel ? outOfScopeLabel : winner.intent, confidence: bestScore, margin: unitScore(bestScore - runnerUp), source: 'trained' };
  }
}
