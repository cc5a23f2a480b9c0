/**
 * The follow-up tier: a short message that reads as a continuation ("and the blue one?", "ok, when then?",
 * "what about returns for it") stays with the previous turn's agent, unless the rules clearly point elsewhere.
 */

import { noOpinion, throwIfCancelled, type IntentClassifier, type IntentInput, type IntentResult } from './intent-classifier.js';
import type { RuleIntentClassifier } from './rule-intent-classifier.js';

const MAX_WORDS = 8;
const CONFIDENCE = 0.85;
// Where a message begins like this, or leans on "it", "that", "them", it continues what came before.
const OPENERS = /^(?:and|also|but|so|then|ok(?:ay)?|thanks|thank you|yes|yeah|yep|no|nope|sure|what about|how about|and what|what if|same|great|perfect|hmm)\b/i;
const ANAPHORA = /\b(?:it|that|this|them|those|these|one|ones|there|then)\b/i;
const WORD = /[\p{L}\p{N}]+/gu;

export class FollowUpClassifier implements IntentClassifier {
  readonly #agents: ReadonlyMap<string, string>;
  readonly #rules: RuleIntentClassifier | undefined;

  /** `agents` maps each agent to its intent; `rules`, when given, may veto a follow-up that names another agent's topic. */
  constructor(agents: ReadonlyMap<string, string>, rules?: RuleIntentClassifier) {
    this.#agents = agents;
    this.#rules = rules;
  }

  // async, so a cancelled turn gets a rejected promise, as from every tier, not a synchronous throw.
  async classify(input: IntentInput, signal: AbortSignal): Promise<IntentResult> {
    throwIfCancelled(signal);
    return this.classifyNow(input);
  }

  classifyNow(input: IntentInput): IntentResult {
    const previous = input.previousAgent;
    const intent = previous === undefined ? undefined : this.#agents.get(previous);
    if (previous === undefined || intent === undefined) return noOpinion('follow-up');
    const text = input.text.trim();
    const words = text.match(WORD)?.length ?? 0;
    if (words === 0 || words > MAX_WORDS || !(OPENERS.test(text) || ANAPHORA.test(text))) return noOpinion('follow-up');
    const elsewhere = this.#rules?.match(text);
    if (elsewhere && elsewhere.agent !== previous && elsewhere.confidence >= 0.6) return noOpinion('follow-up');
    return { agent: previous, intent, confidence: CONFIDENCE, margin: CONFIDENCE, source: 'follow-up' };
  }
}
