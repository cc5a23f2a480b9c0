/**
 * Admission control: a process-wide cap on requests in flight, a bounded priority queue with a
 * deadline in front of it, and per-tenant concurrency and rate limits. Past them a request is
 * refused at once with 429 or 503 and `Retry-After`, never left to time out.
 *
 * Rates (requests and tokens per minute) are asked of an injected RateLimiter: local buckets by
 * default, Redis ones shared by every instance with `limits.backend: redis`. Concurrency is
 * counted here, per process: with N instances a tenant may have N × maxConcurrency in flight.
 */

import { SwitchboardError } from '../errors.js';
import { offCallerAbort, onCallerAbort, type CallerSignal } from '../models/caller-abort.js';
import { LocalRateLimiter } from './local-rate-limiter.js';
import type { RateLimiter } from './rate-limiter.js';

export interface TenantLimits {
  /** Turns and completions one tenant may have in flight in this process; 0 means no limit. */
  maxConcurrency: number;
  /** Requests one tenant may start per minute; 0 means no limit. */
  requestsPerMinute: number;
  /** Model tokens one tenant may use per minute, charged after each call; 0 or absent means no limit. */
  tokensPerMinute?: number;
}

export interface AdmissionSettings {
  maxInFlight: number;
  maxQueued: number;
  queueTimeoutMs: number;
  tenantDefaults: TenantLimits;
  /** Limits and queue priority per tier; a higher priority leaves the queue first. */
  tiers: Record<string, Partial<TenantLimits> & { priority?: number }>;
}

interface Waiter {
  priority: number;
  sequence: number;
  resolve: () => void;
  reject: (error: SwitchboardError) => void;
  timer: NodeJS.Timeout;
}

export type Release = () => void;

export class AdmissionController {
  readonly #settings: AdmissionSettings;
  readonly #rateLimiter: RateLimiter;
  #inFlight = 0;
  #sequence = 0;
  /** Kept sorted by priority (high first), then arrival. */
  readonly #queue: Waiter[] = [];
  /** Requests in flight per tenant; a tenant with none is not kept, so the map is bounded by active tenants. */
  readonly #tenantsInFlight = new Map<string, number>();
  /** Each tier's limits merged over the defaults once, not per request. */
  readonly #limitsByTier = new Map<string, TenantLimits & { priority: number }>();
  readonly #defaultLimits: TenantLimits & { priority: number };

  /** `now` drives the default local rate limiter; an injected `rateLimiter` keeps its own time. */
  constructor(settings: AdmissionSettings, now: () => number = Date.now, rateLimiter: RateLimiter = new LocalRateLimiter(now)) {
    this.#settings = settings;
    this.#rateLimiter = rateLimiter;
    this.#defaultLimits = { ...settings.tenantDefaults, priority: 0 };
    for (const [tier, override] of Object.entries(settings.tiers)) this.#limitsByTier.set(tier, { ...this.#defaultLimits, ...override });
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get queued(): number {
    return this.#queue.length;
  }

  #limitsOf(tier: string): TenantLimits & { priority: number } {
    return this.#limitsByTier.get(tier) ?? this.#defaultLimits;
  }

  #addInFlight(tenant: string, delta: number): void {
    const count = (this.#tenantsInFlight.get(tenant) ?? 0) + delta;
    if (count <= 0) this.#tenantsInFlight.delete(tenant);
    else this.#tenantsInFlight.set(tenant, count);
  }

  /**
   * Resolves with a release function once admitted; rejects at once (or at the queue deadline)
   * otherwise. A request whose `signal` aborts while it waits leaves the queue at once.
   */
  async admit(tenant: string, tier: string, signal?: CallerSignal): Promise<Release> {
    const limits = this.#limitsOf(tier);
    const inFlight = this.#tenantsInFlight.get(tenant) ?? 0;
    if (limits.maxConcurrency > 0 && inFlight >= limits.maxConcurrency) {
      throw new SwitchboardError('tenant_concurrency_exceeded', `Tenant "${tenant}" already has ${inFlight} requests in flight (limit ${limits.maxConcurrency}).`, { retryAfterSeconds: 1 });
    }
    // Counted before the rate limiter's answer, which may take a round trip: concurrent admits must see it.
    this.#addInFlight(tenant, 1);
    try {
      const tokensPerMinute = limits.tokensPerMinute ?? 0;
      if (limits.requestsPerMinute > 0 || tokensPerMinute > 0) {
        const decision = await this.#rateLimiter.admit(tenant, { requestsPerMinute: limits.requestsPerMinute, tokensPerMinute });
        if (!decision.allowed) {
          const message =
            decision.limit === 'tokens'
              ? `Tenant "${tenant}" has used its ${tokensPerMinute} tokens per minute.`
              : `Tenant "${tenant}" is over its limit of ${limits.requestsPerMinute} requests per minute.`;
          throw new SwitchboardError('rate_limited', message, { retryAfterSeconds: decision.retryAfterSeconds });
        }
      }
      await this.#acquireSlot(limits.priority, signal);
    } catch (error) {
      this.#addInFlight(tenant, -1);
      throw error;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#addInFlight(tenant, -1);
      this.#releaseSlot();
    };
  }

  /** Charges a finished call's tokens to the tenant's token budget; never throws (the limiter logs its own failures). */
  chargeTokens(tenant: string, tokens: number): void {
    this.#rateLimiter.chargeTokens(tenant, tokens).catch(() => undefined);
  }

  #acquireSlot(priority: number, signal: CallerSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(clientClosed());
    if (this.#inFlight < this.#settings.maxInFlight && this.#queue.length === 0) {
      this.#inFlight++;
      return Promise.resolve();
    }
    if (this.#queue.length >= this.#settings.maxQueued) {
      return Promise.reject(new SwitchboardError('server_overloaded', `Over capacity: ${this.#inFlight} in flight and ${this.#queue.length} waiting.`, { retryAfterSeconds: 1 }));
    }
    return new Promise<void>((resolve, reject) => {
      const leave = (error: SwitchboardError) => {
        const index = this.#queue.indexOf(waiter);
        if (index !== -1) this.#queue.splice(index, 1);
        clearTimeout(waiter.timer);
        if (signal) offCallerAbort(signal, onAbort);
        reject(error);
      };
      const onAbort = { handleEvent: () => leave(clientClosed()) };
      const waiter: Waiter = {
        priority,
        sequence: this.#sequence++,
        resolve: () => {
          if (signal) offCallerAbort(signal, onAbort);
          resolve();
        },
        reject,
        timer: setTimeout(
          () => leave(new SwitchboardError('server_overloaded', `Waited ${this.#settings.queueTimeoutMs} ms for capacity without getting it.`, { retryAfterSeconds: 1 })),
          this.#settings.queueTimeoutMs,
        ),
      };
      if (signal) onCallerAbort(signal, onAbort);
      // Insert after every waiter of higher or equal priority: FIFO within a tier.
      let index = this.#queue.length;
      while (index > 0 && this.#queue[index - 1]!.priority < priority) index--;
      this.#queue.splice(index, 0, waiter);
    });
  }

  #releaseSlot(): void {
    const next = this.#queue.shift();
    if (next) {
      clearTimeout(next.timer);
      next.resolve();
    } else {
      this.#inFlight--;
    }
  }
}

function clientClosed(): SwitchboardError {
  return new SwitchboardError('client_closed', 'The client closed the connection while the request waited for capacity.');
}
