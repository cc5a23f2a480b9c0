/**
 * Falls back across the plan's pools in order: a pool over the plan's cost ceiling is skipped,
 * a spent pool hands the call to the next, and the last usable pool takes it even when its
 * instances are saturated (queueing there beats failing).
 */

import type { ChatCallResult } from '../../chat/chat-types.js';
import { SwitchboardError } from '../../errors.js';
import type { ModelPool } from '../model-pool.js';
import type { RouterObserver } from '../router-observer.js';
import { estimateCostUsd, type RoutePlan } from '../route-plan.js';
import { estimatePromptTokens } from '../token-estimate.js';
import type { UpstreamError } from '../upstream-error.js';
import type { ChatCaller, StreamStart } from './chat-caller.js';
import { toClientError } from './client-error.js';
import type { ModelCall } from './model-call.js';
import { PoolExhausted } from './retrying-caller.js';

type Next<T> = (call: ModelCall) => Promise<T>;

export class FallbackCaller implements ChatCaller {
  readonly #next: ChatCaller;
  readonly #callNext: Next<ChatCallResult>;
  readonly #streamNext: Next<StreamStart>;
  readonly #observer: RouterObserver | undefined;

  constructor(next: ChatCaller, observer?: RouterObserver) {
    this.#next = next;
    this.#observer = observer;
    this.#callNext = (call) => this.#next.call(call);
    this.#streamNext = (call) => this.#next.stream(call);
  }

  call(call: ModelCall): Promise<ChatCallResult> {
    return this.#inPlanOrder(call, this.#callNext);
  }

  stream(call: ModelCall): Promise<StreamStart> {
    return this.#inPlanOrder(call, this.#streamNext);
  }

  async #inPlanOrder<T>(call: ModelCall, next: Next<T>): Promise<T> {
    const { plan } = call;
    const lastUsable = lastUsablePool(plan, call);
    let lastError: UpstreamError | undefined;
    let spent: ModelPool | undefined;
    for (let poolIndex = 0; poolIndex <= lastUsable; poolIndex++) {
      const pool = plan.pools[poolIndex]!;
      if (!withinCeiling(plan, pool, call)) continue;
      if (spent) this.#observer?.fellBack?.(call.decision.route, spent.name, pool.name);
      call.pool = pool;
      call.lastPool = poolIndex === lastUsable;
      try {
        return await next(call);
      } catch (error) {
        if (!(error instanceof PoolExhausted)) throw error;
        lastError = error.lastError ?? lastError;
        spent = pool;
      }
    }
    if (!lastError) {
      throw new SwitchboardError(
        'no_healthy_upstream',
        `No instance of route "${call.decision.route}" (rule ${plan.rule}) can take a call now: every pool is down, open-circuited, saturated or at its limits.`,
        { retryAfterSeconds: 1 },
      );
    }
    throw toClientError(lastError);
  }
}

/** The index of the last pool under the plan's cost ceiling: there, saturated instances are used rather than failing. */
function lastUsablePool(plan: RoutePlan, call: ModelCall): number {
  for (let index = plan.pools.length - 1; index > 0; index--) if (withinCeiling(plan, plan.pools[index]!, call)) return index;
  return 0;
}

function withinCeiling(plan: RoutePlan, pool: ModelPool, call: ModelCall): boolean {
  if (plan.maxCostUsd === undefined) return true;
  return estimateCostUsd(pool, estimatePromptTokens(call.request.messages), call.request.maxTokens) <= plan.maxCostUsd;
}
