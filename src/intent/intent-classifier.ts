/** The intent contract: given a user message (and what came before), which agent should answer and how sure we are. */

import type { TokenUsage } from '../chat/chat-types.js';
import type { RouteDecision } from '../models/route-decision.js';

/** The tiers of the cascade, in the order they run. */
export const intentTiers = ['explicit', 'follow-up', 'rules', 'trained', 'embedding', 'llm'] as const;
export type IntentTier = (typeof intentTiers)[number];

/**
 * Who decided: a tier; `clarified` (the answer to a clarifying question), `ask` (nobody was sure, the turn
 * asks back), `default` (nobody was sure, the default agent answers).
 */
export type IntentSource = IntentTier | 'clarified' | 'ask' | 'default';

/** The label tiers give a message that none of the agents serves. */
export const outOfScopeLabel = 'none';

export interface IntentInput {
  text: string;
  /** The agent of the session's previous turn, if any (or the pending clarifying question, see clarifying-question.ts). */
  previousAgent?: string;
  /** An agent the client named explicitly. */
  requestedAgent?: string;
  /** Told of each model call a tier makes for this message (the LLM judge's), so its tokens are billed to the caller. */
  accountModelCall?(decision: RouteDecision, usage: TokenUsage): void;
}

export interface IntentResult {
  /** An agent's name, or `none` when a tier judged the message out of scope. */
  agent: string;
  intent: string;
  /** In [0, 1]; 0 when the tier has no opinion. */
  confidence: number;
  /** Confidence over the runner-up, in [0, 1]. */
  margin: number;
  source: IntentSource;
  /** The message belongs to no agent; `agent` is then the configured fallback (or the default, with `reply` set). */
  outOfScope?: boolean;
  /** The turn answers this itself, without the agent's model: a clarifying question or a polite refusal. */
  reply?: string;
  /** The agents a clarifying question offers, most likely first. */
  choices?: string[];
}

/**
 * Every tier and the cascade itself: asynchronous (a tier may call a model), cancelled by the turn's
 * signal, and holding no per-request state, so one object serves every concurrent turn.
 */
export interface IntentClassifier {
  classify(input: IntentInput, signal: AbortSignal): Promise<IntentResult>;
}

/** A tier's "no opinion": the cascade moves on. */
export function noOpinion(source: IntentSource): IntentResult {
  return { agent: outOfScopeLabel, intent: outOfScopeLabel, confidence: 0, margin: 0, source };
}

/** Throws the signal's reason when the turn was cancelled; the tiers call it before any work. */
export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('The turn was cancelled.', 'AbortError');
}

/** Clamps a score into [0, 1] (NaN counts as 0). */
export function unitScore(value: number): number {
  return value > 1 ? 1 : value > 0 ? value : 0;
}
