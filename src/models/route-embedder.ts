/**
 * Texts to vectors through a model route: what retrieval and the intent cascade's embedding tier
 * depend on, so neither knows about pools, instances or wire formats.
 */

import type { TokenUsage } from '../chat/chat-types.js';
import type { ModelRouter, RoutingHints } from './model-router.js';

export interface Embedder {
  /** One vector per text, in order. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]>;
}

export interface RouteEmbedderOptions {
  hints?: RoutingHints;
  /** Told the tokens of each call, for whoever accounts for them. */
  onUsage?: (usage: TokenUsage) => void;
}

/** An `Embedder` over one route of the router. */
export function routeEmbedder(router: Pick<ModelRouter, 'embed'>, route: string, options: RouteEmbedderOptions = {}): Embedder {
  return {
    async embed(texts, signal) {
      if (texts.length === 0) return [];
      const { vectors, usage } = await router.embed(route, texts, signal ?? new AbortController().signal, options.hints);
      options.onUsage?.(usage);
      return vectors;
    },
  };
}
