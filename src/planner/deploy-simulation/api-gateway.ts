/** API Gateway in front of the function: its account throttle (a token bucket) and its integration timeout, with the counts billing needs. */

import type { ApiGatewayConfig } from './lambda-config.js';
import { TokenBucket } from './token-bucket.js';

export class ApiGateway {
  /** Requests it accepted: what it bills (its own 429s are not billed). */
  accepted = 0;
  /** 429s from its own throttle, as opposed to Lambda's. */
  throttled = 0;
  /** Answers it cut at the integration timeout. */
  timedOut = 0;
  private readonly bucket: TokenBucket;

  constructor(private readonly config: ApiGatewayConfig) {
    this.bucket = new TokenBucket(config.burst, config.ratePerSecond);
  }

  /** Whether a request at `nowMs` passes the throttle. */
  admit(nowMs: number): boolean {
    if (!this.bucket.take(nowMs)) {
      this.throttled++;
      return false;
    }
    this.accepted++;
    return true;
  }

  /** Whether an invocation of `durationMs` outlasts the integration timeout: the client gets an error though the function runs on, billed. */
  cutsOff(durationMs: number): boolean {
    return durationMs > this.config.timeoutMs;
  }
}
