/**
 * Per-tenant rate budgets as token buckets that refill continuously over a minute: one for requests,
 * one for model tokens. Where the buckets live (this process, or Redis for every instance) is the
 * implementation's business; admission control only asks.
 */

export interface RateLimits {
  /** Requests a tenant may start per minute; 0 is no limit. */
  requestsPerMinute: number;
  /** Model tokens a tenant may use per minute; 0 is no limit. Charged after each call, so a call may overdraw it. */
  tokensPerMinute: number;
}

export type RateDecision = { allowed: true } | { allowed: false; limit: 'requests' | 'tokens'; retryAfterSeconds: number };

export interface RateLimiter {
  /** Takes one request from the tenant's request bucket; refuses while its token bucket is used up or overdrawn. */
  admit(tenant: string, limits: RateLimits): Promise<RateDecision>;
  /** Charges the tokens a finished call used to the tenant's token bucket, if it has one. */
  chargeTokens(tenant: string, tokens: number): Promise<void>;
  close(): Promise<void>;
}

/** A bucket's level after `elapsedMs` of refilling at `capacity` per minute, capped at `capacity`. */
export function refilledLevel(level: number, elapsedMs: number, capacity: number): number {
  return Math.min(capacity, level + (Math.max(0, elapsedMs) * capacity) / 60_000);
}

/** Seconds until a bucket at `level` holds one unit again. */
export function secondsUntilOne(level: number, capacity: number): number {
  return ((1 - level) / capacity) * 60;
}
