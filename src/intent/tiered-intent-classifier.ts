/** Intent in tiers: an explicitly named agent, then confident rules, then the previous turn's agent, then the default. */

import type { SwitchboardConfig } from '../config/config-schema.js';
import type { IntentClassifier, IntentInput, IntentResult } from './intent-classifier.js';
import { RuleIntentClassifier } from './rule-intent-classifier.js';

export class TieredIntentClassifier implements IntentClassifier {
  readonly #rules: RuleIntentClassifier;
  readonly #agents: SwitchboardConfig['agents'];
  readonly #settings: SwitchboardConfig['intent'];

  constructor(config: SwitchboardConfig) {
    this.#rules = new RuleIntentClassifier(config.agents);
    this.#agents = config.agents;
    this.#settings = config.intent;
  }

  #intentOf(agent: string): string {
    return this.#agents[agent]?.intent ?? agent;
  }

  classify(input: IntentInput): IntentResult {
    if (input.requestedAgent) {
      return { agent: input.requestedAgent, intent: this.#intentOf(input.requestedAgent), confidence: 1, source: 'explicit' };
    }
    const match = this.#rules.match(input.text);
    if (match && match.confidence >= this.#settings.threshold) return { ...match, source: 'rules' };
    const previous = input.previousAgent;
    if (this.#settings.stickyFollowUps && previous && Object.hasOwn(this.#agents, previous)) {
      // An unsure message in a running conversation most likely continues it.
      return { agent: previous, intent: this.#intentOf(previous), confidence: Math.max(match?.confidence ?? 0, this.#settings.threshold), source: 'follow-up' };
    }
    const fallback = this.#settings.defaultAgent;
    return { agent: fallback, intent: this.#intentOf(fallback), confidence: match?.confidence ?? 0, source: 'default' };
  }
}
