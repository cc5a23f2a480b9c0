/**
 * The LLM tier: a cheap route is asked, with a JSON schema, which agent should answer (or `none`) and how
 * sure it is. A timeout bounds what the turn waits; answers are cached by the normalised message, so a
 * repeated question costs no second call. A failed or late call is "no opinion", never a failed turn.
 */

import type { ChatCallRequest } from '../chat/chat-types.js';
import type { ModelRouter } from '../models/model-router.js';
import { noOpinion, outOfScopeLabel, throwIfCancelled, unitScore, type IntentClassifier, type IntentInput, type IntentResult } from './intent-classifier.js';

export interface LlmTierAgent {
  name: string;
  intent: string;
  description: string;
}

export interface LlmTierOptions {
  router: Pick<ModelRouter, 'call'>;
  route: string;
  timeoutMs: number;
  /** Answers kept, least recently used dropped first; 0 keeps none. */
  cacheSize: number;
  maxTokens: number;
  /** Told of calls that failed or timed out (the tier then has no opinion). */
  onFailure?: (error: unknown) => void;
}

/** Lower case, single spaces, no surrounding punctuation: "Where's my order?!" and "where's my order" share an answer. */
export function normaliseMessage(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '');
}

export class LlmIntentClassifier implements IntentClassifier {
  readonly #agents: Map<string, LlmTierAgent>;
  readonly #options: LlmTierOptions;
  readonly #system: string;
  readonly #schema: Record<string, unknown>;
  // Shared by all turns on purpose: it is what saves the repeated calls; it holds answers, not turns.
  readonly #cache = new Map<string, IntentResult>();

  constructor(agents: readonly LlmTierAgent[], options: LlmTierOptions) {
    if (!(options.timeoutMs > 0)) throw new TypeError('LlmIntentClassifier: timeoutMs must be positive');
    this.#agents = new Map(agents.map((agent) => [agent.name, agent]));
    this.#options = options;
    const lines = agents.map((agent) => `- ${agent.name}: ${agent.description || agent.intent}`);
    this.#system = [
      'You route a shopper\'s message to the agent that should answer it.',
      'Agents:',
      ...lines,
      `Answer "${outOfScopeLabel}" when no agent serves the message. Give your confidence between 0 and 1.`,
    ].join('\n');
    // "none" first: a model (or the simulator) with nothing to go on names no agent rather than the first one.
    this.#schema = {
      type: 'object',
      properties: { agent: { type: 'string', enum: [outOfScopeLabel, ...this.#agents.keys()] }, confidence: { type: 'number', minimum: 0, maximum: 1 } },
      required: ['agent', 'confidence'],
      additionalProperties: false,
    };
  }

  /** Answers held in the cache now. */
  get cached(): number {
    return this.#cache.size;
  }

  async classify(input: IntentInput, signal: AbortSignal): Promise<IntentResult> {
    throwIfCancelled(signal);
    const key = normaliseMessage(input.text);
    const hit = this.#cache.get(key);
    if (hit) {
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return { ...hit };
    }
    const request: ChatCallRequest = {
      model: '',
      messages: [
        { role: 'system', content: this.#system },
        { role: 'user', content: input.text },
      ],
      maxTokens: this.#options.maxTokens,
      temperature: 0,
      responseFormat: { type: 'json_schema', jsonSchema: { name: 'intent', schema: this.#schema, strict: true } },
    };
    let text: string;
    try {
      const { result, decision } = await this.#options.router.call(this.#options.route, request, AbortSignal.any([signal, AbortSignal.timeout(this.#options.timeoutMs)]));
      input.accountModelCall?.(decision, result.usage);
      text = result.text;
    } catch (error) {
      throwIfCancelled(signal);
      this.#options.onFailure?.(error);
      return noOpinion('llm');
    }
    const verdict = this.#read(text);
    if (verdict.confidence > 0 && this.#options.cacheSize > 0) {
      if (this.#cache.size >= this.#options.cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(key, verdict);
    }
    return { ...verdict };
  }

  #read(text: string): IntentResult {
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      return noOpinion('llm');
    }
    if (typeof answer !== 'object' || answer === null) return noOpinion('llm');
    const { agent, confidence } = answer as { agent?: unknown; confidence?: unknown };
    if (typeof agent !== 'string' || typeof confidence !== 'number') return noOpinion('llm');
    const score = unitScore(confidence);
    if (agent === outOfScopeLabel) return { agent, intent: outOfScopeLabel, confidence: score, margin: score, source: 'llm' };
    const known = this.#agents.get(agent);
    if (!known) return noOpinion('llm');
    // One answer, no runner-up: the margin is the confidence itself.
    return { agent, intent: known.intent, confidence: score, margin: score, source: 'llm' };
  }
}
