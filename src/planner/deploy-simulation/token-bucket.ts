/** A token bucket refilled continuously: Lambda's scaling rate and API Gateway's throttle are both this shape. */

export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    readonly capacity: number,
    readonly refillPerSecond: number,
    startMs = 0,
  ) {
    this.tokens = capacity;
    this.lastMs = startMs;
  }

  /** Takes one token at `nowMs` if there is one. */
  take(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  available(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens;
  }

  private refill(nowMs: number): void {
    if (nowMs > this.lastMs) {
      this.tokens = Math.min(this.capacity, this.tokens + ((nowMs - this.lastMs) * this.refillPerSecond) / 1000);
      this.lastMs = nowMs;
    }
  }
}
