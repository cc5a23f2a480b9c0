/** What the Lambda simulation is given: the function's memory and init time, AWS's scaling and concurrency limits, API Gateway, and the clients' retries. */

import type { DurationDistribution } from './duration-distribution.js';
import type { RetryPolicy } from './retry-backoff.js';

export interface LambdaConfig {
  memoryMb: number;
  initTime: DurationDistribution;
  idleExpiryMs: number;
  accountConcurrencyLimit: number;
  /** New environments per 10 s, refilled continuously; also the burst available at once. */
  scalingPer10Seconds: number;
  provisionedConcurrency: number;
  /**
   * Environments the everyday traffic keeps busy throughout (its mean concurrency), on
   * provisioned ones first: they count against the account limit and are never free for
   * the simulated requests.
   */
  backgroundConcurrency: number;
  retry: RetryPolicy;
  apiGateway: ApiGatewayConfig;
  sampleIntervalMs: number;
}

export interface ApiGatewayConfig {
  burst: number;
  ratePerSecond: number;
  timeoutMs: number;
}
