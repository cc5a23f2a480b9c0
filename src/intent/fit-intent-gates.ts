/**
 * `intent eval --fit`: searches each tier's threshold and margin on a labelled dataset, by coordinate descent
 * over a grid (two rounds through the tiers, in cascade order), replaying recorded verdicts. The objective is
 * accuracy; among equally accurate gates, fewer messages sent to the LLM tier, then the gates found first.
 */

import { accuracyUnder, type RecordedMessage } from './intent-eval.js';
import type { CascadeGates, TierGate, TieredIntentClassifier } from './tiered-intent-classifier.js';

const thresholds = Array.from({ length: 20 }, (_, index) => index / 20);
const margins = [0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3];
const rounds = 2;

export interface FitResult {
  gates: CascadeGates;
  accuracy: number;
  llmShare: number;
  /** The same numbers under the gates the search started from. */
  startAccuracy: number;
  startLlmShare: number;
}

function better(candidate: { accuracy: number; llmShare: number }, best: { accuracy: number; llmShare: number }): boolean {
  const epsilon = 1e-9;
  if (candidate.accuracy > best.accuracy + epsilon) return true;
  return Math.abs(candidate.accuracy - best.accuracy) <= epsilon && candidate.llmShare < best.llmShare - epsilon;
}

export function fitIntentGates(cascade: TieredIntentClassifier, recorded: readonly RecordedMessage[], start: CascadeGates = cascade.gates): FitResult {
  const gates: CascadeGates = Object.fromEntries(Object.entries(start).map(([tier, gate]) => [tier, { ...gate }]));
  const initial = accuracyUnder(cascade, recorded, gates);
  let best = initial;
  for (let round = 0; round < rounds; round++) {
    for (const tier of cascade.tiers) {
      const original = gates[tier]!;
      let chosen: TierGate = original;
      for (const threshold of thresholds) {
        for (const margin of margins) {
          gates[tier] = { threshold, margin };
          const score = accuracyUnder(cascade, recorded, gates);
          if (better(score, best)) {
            best = score;
            chosen = { threshold, margin };
          }
        }
      }
      gates[tier] = chosen;
    }
  }
  return { gates, accuracy: best.accuracy, llmShare: best.llmShare, startAccuracy: initial.accuracy, startLlmShare: initial.llmShare };
}
