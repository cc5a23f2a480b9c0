/** Prices each finished model call from its pool's configured prices, counts the cost, and writes it to the usage ledger. */

import type { PoolConfig } from '../config/config-schema.js';
import type { UsageLedger } from '../stores/store-types.js';
import type { Logger } from '../telemetry/logger.js';
import type { TokenUsage } from './chat-types.js';
import type { ModelRouter, RouteDecision } from './model-router.js';

export interface CostObserver {
  countCost(tenant: string, pool: string, usd: number): void;
}

export function costUsd(prices: PoolConfig['prices'], usage: TokenUsage): number {
  return (usage.promptTokens * prices.inputPerMillionTokens + usage.completionTokens * prices.outputPerMillionTokens) / 1_000_000;
}

export class UsageRecorder {
  readonly #router: ModelRouter;
  readonly #ledger: UsageLedger;
  readonly #observer: CostObserver | undefined;
  readonly #logger: Pick<Logger, 'warn'>;
  readonly #now: () => number;

  constructor(router: ModelRouter, ledger: UsageLedger, options: { observer?: CostObserver; logger: Pick<Logger, 'warn'>; now?: () => number }) {
    this.#router = router;
    this.#ledger = ledger;
    this.#observer = options.observer;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Records one finished call and returns its cost. The ledger write is not awaited: a slow
   * or failing store must not hold up the answer, and a lost row is logged.
   */
  record(tenant: string, decision: RouteDecision, usage: TokenUsage): number {
    const pool = this.#router.pools.get(decision.pool);
    if (!pool) return 0;
    const cost = costUsd(pool.config.prices, usage);
    this.#observer?.countCost(tenant, decision.pool, cost);
    const entry = {
      at: this.#now(),
      tenant,
      route: decision.route,
      pool: decision.pool,
      model: decision.model,
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      costUsd: cost,
    };
    this.#ledger.record(entry).catch((error: unknown) => {
      this.#logger.warn({ err: (error as Error).message, tenant, route: decision.route, pool: decision.pool }, 'usage ledger write failed');
    });
    return cost;
  }
}
