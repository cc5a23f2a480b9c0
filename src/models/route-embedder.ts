/**
 * Texts to vectors through a model route: what retrieval and the intent cascade's embedding tier
 * depend on, so neither knows about pools, instances or wire formats.
 */

import type { TokenUsage } from '../chat/chat-types.js';
import type { ModelRouter, RoutingHints } from './model-router.js';
import type { RouteDecision } from './route-decision.js';

/** Told of a finished model call, for accounting: whoever made the call on a tenant's behalf bills it there. */
export type ModelCallListener = (decision: RouteDecision, usage: TokenUsage) => void;

export interface Embedder {
  /** One vector per text, in order; `modelCalled` hears of the call, when one was made. */
  embed(texts: readonly string[], signal?: AbortSignal, modelCalled?: ModelCallListener): Promise<number[][]>;
}

export interface RouteEmbedderOptions {
  hints?: RoutingHints;
}

/** An `Embedder` over one route of the router. */
export function routeEmbedder(router: Pick<ModelRouter, 'embed'>, route: string, options: RouteEmbedderOptions = {}): Embedder {
  return {
    async embed(texts, signal, modelCalled) {
      if (texts.length === 0) return [];
      const { vectors, usage, decision } = await router.embed(route, texts, signal ?? new AbortController().signal, options.hints);
      modelCalled?.(decision, usage);
      return vectors;
    },
  };
}
