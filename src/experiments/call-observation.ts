/**
 * One model call's outcome, counted for every variant the request is in: errors, fallbacks, time
 * to first token, latency, tokens and cost, plus the shares over each guardrail's latency limit.
 * A call the client abandoned counts nothing: it says nothing about the variant.
 */

import type { TokenUsage } from '../chat/chat-types.js';
import type { RouteDecision } from '../models/model-router.js';
import type { ExperimentDefinition } from './experiment-definition.js';
import { costMetric, errorRateMetric, fallbackRateMetric, latencyMetric, tokensMetric, ttftMetric } from './experiment-metrics.js';
import type { StatsBuffer } from './stats-buffer.js';

export interface ObservedVariant {
  readonly definition: ExperimentDefinition;
  readonly variant: string;
}

/** What the pipeline tells about a model call; every method is safe to call on the no-op observation. */
export interface CallObservation {
  /** The first token (or the whole answer of an unstreamed call) arrived. */
  firstToken(): void;
  /** The call ended well with this decision and usage. */
  finished(decision: RouteDecision, usage: TokenUsage): void;
  /** The call's cost, once the usage recorder priced it. */
  cost(usd: number): void;
  /** The call failed; `abandoned` when the client went away first. */
  failed(abandoned: boolean): void;
}

export const noObservation: CallObservation = {
  firstToken() {},
  finished() {},
  cost() {},
  failed() {},
};

export class VariantCallObservation implements CallObservation {
  readonly #targets: readonly ObservedVariant[];
  readonly #buffer: StatsBuffer;
  /** The pool the call was meant for: answered by another means a fallback. */
  readonly #firstPool: string | undefined;
  readonly #startedAt = performance.now();
  #ttftMs: number | undefined;
  #ended = false;

  constructor(targets: readonly ObservedVariant[], buffer: StatsBuffer, firstPool: string | undefined) {
    this.#targets = targets;
    this.#buffer = buffer;
    this.#firstPool = firstPool;
  }

  #observe(metric: string, value: number): void {
    for (const target of this.#targets) this.#buffer.observe(target.definition.name, target.variant, metric, value);
  }

  firstToken(): void {
    this.#ttftMs ??= performance.now() - this.#startedAt;
  }

  finished(decision: RouteDecision, usage: TokenUsage): void {
    if (this.#ended) return;
    this.#ended = true;
    const latencyMs = performance.now() - this.#startedAt;
    const ttftMs = this.#ttftMs ?? latencyMs;
    this.#observe(errorRateMetric, 0);
    this.#observe(fallbackRateMetric, this.#firstPool !== undefined && decision.pool !== this.#firstPool ? 1 : 0);
    this.#observe(ttftMetric, ttftMs);
    this.#observe(latencyMetric, latencyMs);
    this.#observe(tokensMetric, usage.promptTokens + usage.completionTokens);
    for (const target of this.#targets) {
      for (const exceedance of target.definition.exceedances) {
        const value = exceedance.base === ttftMetric ? ttftMs : latencyMs;
        this.#buffer.observe(target.definition.name, target.variant, exceedance.metric, value > exceedance.limit ? 1 : 0);
      }
    }
  }

  cost(usd: number): void {
    this.#observe(costMetric, usd);
  }

  failed(abandoned: boolean): void {
    if (this.#ended) return;
    this.#ended = true;
    if (!abandoned) this.#observe(errorRateMetric, 1);
  }
}
