/**
 * Intent in tiers: an explicitly named agent, then a clear follow-up, rules, the trained classifier, the
 * embedding tier and the LLM judge, each optional. The cascade stops at the first tier whose confidence and
 * margin clear that tier's gate; when none does it stays with the previous agent, asks, or takes the default.
 */

import type { AgentConfig, SwitchboardConfig } from '../config/config-schema.js';
import { clarifyingQuestion, ordinalChoice, pendingChoices } from './clarifying-question.js';
import { intentTiers, outOfScopeLabel, throwIfCancelled, type IntentClassifier, type IntentInput, type IntentResult, type IntentTier } from './intent-classifier.js';

/** The tiers past the explicit agent: the ones with a gate. */
export type GatedTier = Exclude<IntentTier, 'explicit'>;
export const gatedTiers = intentTiers.filter((tier): tier is GatedTier => tier !== 'explicit');

export interface TierGate {
  threshold: number;
  margin: number;
}
export type CascadeGates = Partial<Record<GatedTier, TierGate>>;

/** What one tier said about one message and how long it took. */
export interface TierTrace {
  tier: GatedTier;
  result: IntentResult;
  seconds: number;
}

export interface CascadeObserver {
  tierRan?(tier: GatedTier, seconds: number): void;
  decided?(result: IntentResult): void;
}

export interface CascadeParts {
  agents: Readonly<Record<string, AgentConfig>>;
  settings: SwitchboardConfig['intent'];
  /** The tier objects that are on, by tier. */
  tiers: Partial<Record<GatedTier, IntentClassifier>>;
  gates: CascadeGates;
  observer?: CascadeObserver;
  /** Seconds, monotonic; injected so tests and the eval may read their own clock. */
  clock?: () => number;
}

/** Whether a tier's verdict is confident enough to stop the cascade. */
export function clears(result: IntentResult, gate: TierGate | undefined): boolean {
  return gate !== undefined && result.confidence > 0 && result.confidence >= gate.threshold && result.margin >= gate.margin;
}

const monotonicSeconds = (): number => performance.now() / 1000;

export class TieredIntentClassifier implements IntentClassifier {
  readonly #agents: Readonly<Record<string, AgentConfig>>;
  readonly #settings: SwitchboardConfig['intent'];
  readonly #tiers: [GatedTier, IntentClassifier][];
  readonly #gates: CascadeGates;
  readonly #observer: CascadeObserver;
  readonly #clock: () => number;

  constructor(parts: CascadeParts) {
    this.#agents = parts.agents;
    this.#settings = parts.settings;
    this.#tiers = gatedTiers.flatMap((tier) => (parts.tiers[tier] && parts.gates[tier] ? [[tier, parts.tiers[tier]] as [GatedTier, IntentClassifier]] : []));
    this.#gates = parts.gates;
    this.#observer = parts.observer ?? {};
    this.#clock = parts.clock ?? monotonicSeconds;
  }

  /** The tiers that are on, in cascade order. */
  get tiers(): GatedTier[] {
    return this.#tiers.map(([tier]) => tier);
  }

  get gates(): CascadeGates {
    return this.#gates;
  }

  /** Each agent's intent, by agent name. */
  get agentIntents(): Record<string, string> {
    return Object.fromEntries(Object.keys(this.#agents).map((name) => [name, this.#intentOf(name)]));
  }

  #intentOf(agent: string): string {
    return this.#agents[agent]?.intent ?? agent;
  }

  async #run(tier: GatedTier, classifier: IntentClassifier, input: IntentInput, signal: AbortSignal): Promise<TierTrace> {
    const started = this.#clock();
    const result = await classifier.classify(input, signal);
    const seconds = this.#clock() - started;
    this.#observer.tierRan?.(tier, seconds);
    return { tier, result, seconds };
  }

  async classify(input: IntentInput, signal: AbortSignal): Promise<IntentResult> {
    throwIfCancelled(signal);
    const result = await this.#classify(input, signal);
    this.#observer.decided?.(result);
    return result;
  }

  async #classify(input: IntentInput, signal: AbortSignal): Promise<IntentResult> {
    if (input.requestedAgent) return { agent: input.requestedAgent, intent: this.#intentOf(input.requestedAgent), confidence: 1, margin: 1, source: 'explicit' };
    const choices = pendingChoices(input.previousAgent);
    if (choices) {
      const named = ordinalChoice(input.text, choices);
      if (named) return { agent: named, intent: this.#intentOf(named), confidence: 1, margin: 1, source: 'clarified' };
    }
    const traces: TierTrace[] = [];
    for (const [tier, classifier] of this.#tiers) {
      const trace = await this.#run(tier, classifier, input, signal);
      traces.push(trace);
      const verdict = this.#verdict(trace, this.#gates, choices);
      if (verdict) return verdict;
    }
    return this.#unsure(traces, input, choices);
  }

  /** Every tier's verdict on a message, gates ignored: what `intent eval` records once and then decides from with any gates. */
  async inspect(input: IntentInput, signal: AbortSignal): Promise<TierTrace[]> {
    const traces: TierTrace[] = [];
    for (const [tier, classifier] of this.#tiers) traces.push(await this.#run(tier, classifier, input, signal));
    return traces;
  }

  /** The cascade's decision from recorded traces under `gates`, and the tiers it would have run. */
  decide(traces: readonly TierTrace[], input: IntentInput, gates: CascadeGates = this.#gates): { result: IntentResult; ran: GatedTier[] } {
    const ran: GatedTier[] = [];
    for (const trace of traces) {
      ran.push(trace.tier);
      const verdict = this.#verdict(trace, gates, undefined);
      if (verdict) return { result: verdict, ran };
    }
    return { result: this.#unsure(traces, input, undefined), ran };
  }

  #verdict(trace: TierTrace, gates: CascadeGates, choices: string[] | undefined): IntentResult | undefined {
    const { result } = trace;
    // An answer to a clarifying question only has to lean towards one of the offered agents.
    if (choices && result.confidence > 0 && choices.includes(result.agent)) return { ...result, source: 'clarified' };
    if (!clears(result, gates[trace.tier])) return undefined;
    return result.agent === outOfScopeLabel ? this.#outOfScope(result) : result;
  }

  #outOfScope(result: IntentResult): IntentResult {
    const { action, agent, message } = this.#settings.outOfScope;
    if (action === 'refuse') return { ...result, agent: this.#settings.defaultAgent, intent: outOfScopeLabel, outOfScope: true, reply: message };
    const fallback = agent ?? this.#settings.defaultAgent;
    return { ...result, agent: fallback, intent: this.#intentOf(fallback), outOfScope: true };
  }

  #unsure(traces: readonly TierTrace[], input: IntentInput, choices: string[] | undefined): IntentResult {
    const best = Math.max(0, ...traces.map((trace) => trace.result.confidence));
    const previous = input.previousAgent;
    if (!choices && this.#settings.stickyFollowUps && previous && Object.hasOwn(this.#agents, previous)) {
      // An unsure message in a running conversation most likely continues it.
      return { agent: previous, intent: this.#intentOf(previous), confidence: best, margin: 0, source: 'follow-up' };
    }
    const { whenUnsure, defaultAgent } = this.#settings;
    // Never ask twice in a row: an answer that resolved nothing goes to the default agent.
    if (whenUnsure.action === 'ask' && !choices) {
      const offered = this.#likelyAgents(traces).slice(0, whenUnsure.maxChoices);
      const question = clarifyingQuestion(whenUnsure.question, offered.map((name) => ({ name, description: this.#agents[name]?.description ?? '' })));
      return { agent: defaultAgent, intent: 'ask', confidence: best, margin: 0, source: 'ask', reply: question, choices: offered };
    }
    return { agent: defaultAgent, intent: this.#intentOf(defaultAgent), confidence: best, margin: 0, source: 'default' };
  }

  /** Agents by the best confidence any tier gave them, then the rest in config order. */
  #likelyAgents(traces: readonly TierTrace[]): string[] {
    const scores = new Map<string, number>();
    for (const { result } of traces) {
      if (result.agent === outOfScopeLabel || !Object.hasOwn(this.#agents, result.agent)) continue;
      scores.set(result.agent, Math.max(scores.get(result.agent) ?? 0, result.confidence));
    }
    const ranked = [...scores].sort((a, b) => b[1] - a[1]).map(([name]) => name);
    for (const name of Object.keys(this.#agents)) if (!scores.has(name)) ranked.push(name);
    return ranked;
  }
}
