/**
 * A function's execution environments, one invocation each: provisioned ones first, then the
 * most recently used warm on-demand one within its idle expiry, then a new one (a cold start)
 * if the scaling rate allows — all within the account's concurrency limit.
 */

import { IdleEnvironments } from './idle-environments.js';
import type { LambdaConfig } from './lambda-config.js';
import { TokenBucket } from './token-bucket.js';

/** Where an invocation runs, or that Lambda answers 429. */
export type Placement = 'provisioned' | 'warm' | 'cold' | 'throttled';

type EnvironmentLimits = Pick<LambdaConfig, 'provisionedConcurrency' | 'backgroundConcurrency' | 'accountConcurrencyLimit' | 'scalingPer10Seconds' | 'idleExpiryMs'>;

export class LambdaEnvironments {
  /** Invocations running, the everyday traffic's included. */
  busy: number;
  peakBusy: number;
  /** Most environments alive at once, provisioned included. */
  peakInstances: number;
  private idleProvisioned: number;
  private onDemandAlive: number;
  private readonly idle = new IdleEnvironments();
  private readonly scaling: TokenBucket;

  constructor(private readonly limits: EnvironmentLimits) {
    this.scaling = new TokenBucket(limits.scalingPer10Seconds, limits.scalingPer10Seconds / 10);
    // The everyday traffic sits on provisioned environments first, the rest on on-demand ones.
    const backgroundOnProvisioned = Math.min(limits.backgroundConcurrency, limits.provisionedConcurrency);
    this.idleProvisioned = limits.provisionedConcurrency - backgroundOnProvisioned;
    this.onDemandAlive = limits.backgroundConcurrency - backgroundOnProvisioned;
    this.busy = limits.backgroundConcurrency;
    this.peakInstances = this.onDemandAlive + limits.provisionedConcurrency;
    this.peakBusy = this.busy;
  }

  /** Environments alive (busy or idle) as of the last expiry. */
  get instances(): number {
    return this.onDemandAlive + this.limits.provisionedConcurrency;
  }

  /** Places an invocation arriving at `nowMs`; anything but "throttled" holds an environment until `release`. */
  acquire(nowMs: number): Placement {
    if (this.idleProvisioned > 0) {
      this.idleProvisioned--;
      this.occupy();
      return 'provisioned';
    }
    if (this.busy >= this.limits.accountConcurrencyLimit) return 'throttled';
    this.expire(nowMs);
    if (this.idle.count > 0) {
      this.idle.popNewest();
      this.occupy();
      return 'warm';
    }
    if (!this.scaling.take(nowMs)) return 'throttled';
    this.onDemandAlive++;
    if (this.instances > this.peakInstances) this.peakInstances = this.instances;
    this.occupy();
    return 'cold';
  }

  /** The invocation ended: its environment is idle from `nowMs`. */
  release(provisioned: boolean, nowMs: number): void {
    this.busy--;
    if (provisioned) this.idleProvisioned++;
    else this.idle.push(nowMs);
  }

  /** Drops the on-demand environments idle past their expiry at `nowMs`. */
  expire(nowMs: number): void {
    this.onDemandAlive -= this.idle.expire(nowMs, this.limits.idleExpiryMs);
  }

  private occupy(): void {
    this.busy++;
    if (this.busy > this.peakBusy) this.peakBusy = this.busy;
  }
}
