/**
 * `intent eval`'s arithmetic: every tier's verdict on every message is recorded once, then the cascade's
 * decisions under any gates are replayed from the record, so the report and the threshold search need no
 * second model call. Asking back counts as a miss: the shopper had to answer again.
 */

import { setMaxListeners } from 'node:events';
import { percentileOfSorted } from '../stats/percentile-of-sorted.js';
import { outOfScopeLabel } from './intent-classifier.js';
import type { LabelledMessage } from './intent-dataset.js';
import type { CascadeGates, GatedTier, TierTrace, TieredIntentClassifier } from './tiered-intent-classifier.js';

export interface RecordedMessage extends LabelledMessage {
  traces: TierTrace[];
}

/** What the cascade did with a message: the agent, `none` (out of scope) or `ask`. */
export const askLabel = 'ask';

export interface ClassReport {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface TierReport {
  tier: GatedTier;
  /** Share of messages the tier saw (it ran because every tier before it was unsure). */
  reached: number;
  /** Share of messages the tier decided. */
  decided: number;
  p50Ms: number;
  p99Ms: number;
}

export interface IntentEvalReport {
  messages: number;
  accuracy: number;
  macroF1: number;
  classes: ClassReport[];
  outOfScope: { precision: number; recall: number };
  /** Messages answered with a clarifying question, and those given the default agent. */
  askShare: number;
  defaultShare: number;
  tiers: TierReport[];
  /** confusion[true][predicted], predicted including `ask`. */
  confusion: Record<string, Record<string, number>>;
  gates: CascadeGates;
}

/** Runs every tier on every message, `concurrency` messages at a time (the LLM tier's calls overlap). */
export async function recordDataset(cascade: TieredIntentClassifier, dataset: readonly LabelledMessage[], concurrency = 16, signal = new AbortController().signal): Promise<RecordedMessage[]> {
  // Every message in flight listens to the one signal (the LLM tier links it to its timeout).
  setMaxListeners(concurrency * 4 + 10, signal);
  const recorded: RecordedMessage[] = new Array(dataset.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < dataset.length) {
      const index = next++;
      const message = dataset[index]!;
      recorded[index] = { ...message, traces: await cascade.inspect({ text: message.text }, signal) };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, dataset.length)) }, worker));
  return recorded;
}

function predictedLabel(cascade: TieredIntentClassifier, message: RecordedMessage, gates: CascadeGates): { label: string; ran: GatedTier[]; decider: string } {
  const { result, ran } = cascade.decide(message.traces, { text: message.text }, gates);
  const label = result.outOfScope ? outOfScopeLabel : result.source === 'ask' ? askLabel : result.agent;
  return { label, ran, decider: result.source };
}

const ratio = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);

/** Accuracy alone, for the threshold search's inner loop. */
export function accuracyUnder(cascade: TieredIntentClassifier, recorded: readonly RecordedMessage[], gates: CascadeGates): { accuracy: number; llmShare: number } {
  let correct = 0;
  let llm = 0;
  for (const message of recorded) {
    const { label, ran } = predictedLabel(cascade, message, gates);
    if (label === message.label) correct++;
    if (ran.includes('llm')) llm++;
  }
  return { accuracy: ratio(correct, recorded.length), llmShare: ratio(llm, recorded.length) };
}

export function evaluateRecorded(cascade: TieredIntentClassifier, recorded: readonly RecordedMessage[], gates: CascadeGates = cascade.gates): IntentEvalReport {
  const labels = [...new Set([...Object.keys(cascade.agentIntents), outOfScopeLabel])];
  const confusion: Record<string, Record<string, number>> = {};
  for (const truth of labels) confusion[truth] = Object.fromEntries([...labels, askLabel].map((label) => [label, 0]));
  const seconds = new Map<GatedTier, number[]>(cascade.tiers.map((tier) => [tier, []]));
  const reached = new Map<GatedTier, number>();
  const decided = new Map<string, number>();
  let correct = 0;
  for (const message of recorded) {
    const { label, ran, decider } = predictedLabel(cascade, message, gates);
    confusion[message.label]![label] = (confusion[message.label]![label] ?? 0) + 1;
    if (label === message.label) correct++;
    decided.set(decider, (decided.get(decider) ?? 0) + 1);
    for (const trace of message.traces) {
      if (!ran.includes(trace.tier)) continue;
      reached.set(trace.tier, (reached.get(trace.tier) ?? 0) + 1);
      seconds.get(trace.tier)?.push(trace.seconds);
    }
  }
  const classes = labels.map((label): ClassReport => {
    const truePositive = confusion[label]![label] ?? 0;
    const predicted = labels.reduce((sum, truth) => sum + (confusion[truth]![label] ?? 0), 0);
    const support = Object.values(confusion[label]!).reduce((sum, count) => sum + count, 0);
    const precision = ratio(truePositive, predicted);
    const recall = ratio(truePositive, support);
    return { label, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
  const present = classes.filter((entry) => entry.support > 0);
  const none = classes.find((entry) => entry.label === outOfScopeLabel)!;
  const tiers = cascade.tiers.map((tier): TierReport => {
    const sample = (seconds.get(tier) ?? []).sort((a, b) => a - b);
    return {
      tier,
      reached: ratio(reached.get(tier) ?? 0, recorded.length),
      decided: ratio(decided.get(tier) ?? 0, recorded.length),
      p50Ms: percentileOfSorted(sample, sample.length, 0.5) * 1000,
      p99Ms: percentileOfSorted(sample, sample.length, 0.99) * 1000,
    };
  });
  return {
    messages: recorded.length,
    accuracy: ratio(correct, recorded.length),
    macroF1: ratio(present.reduce((sum, entry) => sum + entry.f1, 0), present.length),
    classes,
    outOfScope: { precision: none.precision, recall: none.recall },
    askShare: ratio(decided.get('ask') ?? 0, recorded.length),
    defaultShare: ratio(decided.get('default') ?? 0, recorded.length),
    tiers,
    confusion,
    gates,
  };
}
