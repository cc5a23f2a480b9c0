/** Keyword and regular-expression rules per agent, compiled once; scores every agent and reports the best with a confidence. */

import type { AgentConfig } from '../config/config-schema.js';
import { noOpinion, throwIfCancelled, unitScore, type IntentClassifier, type IntentInput, type IntentResult } from './intent-classifier.js';

interface CompiledRule {
  agent: string;
  intent: string;
  keywords: RegExp | undefined;
  patterns: RegExp[];
}

export interface RuleMatch {
  agent: string;
  intent: string;
  confidence: number;
  /** The winner's evidence over the runner-up's. */
  margin: number;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Confidence from evidence: a pattern is specific (0.9); keywords add up with diminishing
 * returns (one 0.6, two 0.75, three or more 0.85). A close runner-up lowers the winner's
 * confidence, since the message is then ambiguous between two agents.
 */
function keywordConfidence(hits: number): number {
  return hits === 0 ? 0 : hits === 1 ? 0.6 : hits === 2 ? 0.75 : 0.85;
}

export class RuleIntentClassifier implements IntentClassifier {
  readonly #rules: CompiledRule[];

  constructor(agents: Record<string, AgentConfig>) {
    this.#rules = Object.entries(agents).map(([name, agent]) => ({
      agent: name,
      intent: agent.intent ?? name,
      keywords: agent.keywords.length > 0 ? new RegExp(`\\b(?:${agent.keywords.map(escapeRegExp).join('|')})\\b`, 'gi') : undefined,
      patterns: agent.patterns.map((pattern) => new RegExp(pattern, 'i')),
    }));
  }

  /** The best-scoring agent, or undefined when no rule matched at all. */
  match(text: string): RuleMatch | undefined {
    let best: RuleMatch | undefined;
    let runnerUp = 0;
    for (const rule of this.#rules) {
      let score = 0;
      if (rule.patterns.some((pattern) => pattern.test(text))) score = 0.9;
      if (rule.keywords) {
        const hits = new Set(text.match(rule.keywords)?.map((hit) => hit.toLowerCase()) ?? []).size;
        score = Math.max(score, keywordConfidence(hits));
      }
      if (score === 0) continue;
      if (!best || score > best.confidence) {
        runnerUp = best?.confidence ?? runnerUp;
        best = { agent: rule.agent, intent: rule.intent, confidence: score, margin: 0 };
      } else {
        runnerUp = Math.max(runnerUp, score);
      }
    }
    if (!best) return undefined;
    best.margin = unitScore(best.confidence - runnerUp);
    if (runnerUp > 0) best.confidence = Math.max(0, best.confidence - runnerUp / 2);
    return best;
  }

  // async, so a cancelled turn gets a rejected promise, as from every tier, not a synchronous throw.
  async classify(input: IntentInput, signal: AbortSignal): Promise<IntentResult> {
    throwIfCancelled(signal);
    const match = this.match(input.text);
    return match ? { ...match, source: 'rules' } : noOpinion('rules');
  }
}
