/**
 * The one place a finished model call is accounted: priced from its pool's configured prices,
 * written to the usage ledger, and reported to the observer (token and cost metrics, the
 * tenant's token budget — wired in the app root).
 */

import type { TokenUsage } from '../chat/chat-types.js';
import type { PoolConfig } from '../config/config-schema.js';
import type { UsageEntry, UsageLedger } from '../stores/store-types.js';
import type { Logger } from '../telemetry/logger.js';
import type { RouteDecision } from './route-decision.js';

export interface UsageObserver {
  /** A call was accounted: count its tokens and cost, charge the tenant. Must not throw. */
  usageRecorded(entry: UsageEntry): void;
}

export function costUsd(prices: PoolConfig['prices'], usage: TokenUsage): number {
  return (usage.promptTokens * prices.inputPerMillionTokens + usage.completionTokens * prices.outputPerMillionTokens) / 1_000_000;
}

export interface UsageRecorderOptions {
  observer?: UsageObserver;
  logger: Pick<Logger, 'warn'>;
  now?: () => number;
}

export class UsageRecorder {
  readonly #prices: ReadonlyMap<string, PoolConfig['prices']>;
  readonly #ledger: UsageLedger;
  readonly #observer: UsageObserver | undefined;
  readonly #logger: Pick<Logger, 'warn'>;
  readonly #now: () => number;

  /** `pools` gives each pool's prices by name: the pools of the generation whose calls this records. */
  constructor(pools: Iterable<{ readonly name: string; readonly config: Pick<PoolConfig, 'prices'> }>, ledger: UsageLedger, options: UsageRecorderOptions) {
    this.#prices = new Map([...pools].map((pool) => [pool.name, pool.config.prices]));
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
    const prices = this.#prices.get(decision.pool);
    if (!prices) return 0;
    const entry: UsageEntry = {
      at: this.#now(),
      tenant,
      route: decision.route,
      pool: decision.pool,
      model: decision.model,
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      costUsd: costUsd(prices, usage),
    };
    this.#observer?.usageRecorded(entry);
    this.#ledger.record(entry).catch((error: unknown) => {
      this.#logger.warn({ err: (error as Error).message, tenant, route: decision.route, pool: decision.pool }, 'usage ledger write failed');
    });
    return entry.costUsd;
  }
}
