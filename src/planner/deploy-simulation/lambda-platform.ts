/**
 * AWS Lambda behind API Gateway, one request per execution environment: warm reuse (most
 * recently used first) until an idle expiry, a cold start drawn from the init-time
 * distribution for each new environment, the per-function scaling rate (a token bucket of
 * 1,000 environments refilled continuously over 10 s), the account concurrency limit,
 * provisioned concurrency, API Gateway's throttle and integration timeout, and clients that
 * retry every 429 with backoff. Counts the GB-seconds, invocations and gateway requests
 * that billing needs.
 */

import type { DurationDistribution } from './duration-distribution.js';
import { EventQueue } from './event-queue.js';
import { emptyTimeline, recordSample, RequestLedger, type PlatformRun } from './platform-run.js';
import { retryDelayMs, type RetryPolicy } from './retry-backoff.js';
import type { RandomSource } from './seeded-random.js';
import { TokenBucket } from './token-bucket.js';

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
  apiGateway: { burst: number; ratePerSecond: number; timeoutMs: number };
  sampleIntervalMs: number;
}

export interface LambdaUsage {
  /** Invocations that ran (throttled attempts are not invocations). */
  invocations: number;
  /** Requests API Gateway accepted (it bills those; its own 429s are not billed). */
  apiGatewayRequests: number;
  /** Billed duration on on-demand environments, init included, in GB-seconds. */
  onDemandGbSeconds: number;
  /** Of which initialisation. */
  initGbSeconds: number;
  /** Billed duration of invocations on provisioned environments, in GB-seconds. */
  provisionedInvocationGbSeconds: number;
  /** Answers API Gateway cut at its integration timeout (the function still ran and was billed). */
  gatewayTimeouts: number;
  /** 429s from API Gateway's own throttle, as opposed to Lambda's. */
  apiGatewayThrottles: number;
}

export interface LambdaRun extends PlatformRun {
  platform: 'lambda';
  usage: LambdaUsage;
}

const ARRIVAL = 0;
const FINISH = 1;
const SAMPLE = 2;

/** Idle on-demand environments by the time they went idle: newest at the tail (reused first), oldest at the head (expire first). */
class IdleEnvironments {
  private idleSince = new Float64Array(1024);
  private head = 0;
  private tail = 0;

  get count(): number {
    return this.tail - this.head;
  }

  push(timeMs: number): void {
    if (this.tail === this.idleSince.length) {
      const live = this.idleSince.subarray(this.head, this.tail);
      const grown = new Float64Array(Math.max(1024, live.length * 2));
      grown.set(live);
      this.idleSince = grown;
      this.tail -= this.head;
      this.head = 0;
    }
    this.idleSince[this.tail++] = timeMs;
  }

  popNewest(): void {
    this.tail--;
  }

  /** Drops environments idle for `expiryMs` or more; returns how many. */
  expire(nowMs: number, expiryMs: number): number {
    let expired = 0;
    while (this.head < this.tail && this.idleSince[this.head]! + expiryMs <= nowMs) {
      this.head++;
      expired++;
    }
    return expired;
  }
}

export function simulateLambda(config: LambdaConfig, arrivalsMs: Float64Array, serviceMs: Float64Array, random: RandomSource): LambdaRun {
  const gigabytes = config.memoryMb / 1024;
  const ledger = new RequestLedger(arrivalsMs);
  const attempts = new Uint32Array(arrivalsMs.length);
  const queue = new EventQueue();
  const scaling = new TokenBucket(config.scalingPer10Seconds, config.scalingPer10Seconds / 10);
  const gateway = new TokenBucket(config.apiGateway.burst, config.apiGateway.ratePerSecond);
  const idle = new IdleEnvironments();
  const timeline = emptyTimeline(config.sampleIntervalMs);
  const usage: LambdaUsage = { invocations: 0, apiGatewayRequests: 0, onDemandGbSeconds: 0, initGbSeconds: 0, provisionedInvocationGbSeconds: 0, gatewayTimeouts: 0, apiGatewayThrottles: 0 };
  const timedOut = new Uint8Array(arrivalsMs.length);

  // The everyday traffic sits on provisioned environments first, the rest on on-demand ones.
  const backgroundOnProvisioned = Math.min(config.backgroundConcurrency, config.provisionedConcurrency);
  let idleProvisioned = config.provisionedConcurrency - backgroundOnProvisioned;
  let onDemandAlive = config.backgroundConcurrency - backgroundOnProvisioned;
  let busy = config.backgroundConcurrency;
  let peakInstances = onDemandAlive + config.provisionedConcurrency;
  let peakBusy = busy;
  let throttleResponses = 0;
  let nextArrival = 0;

  const billedGbSeconds = (durationMs: number): number => (Math.ceil(durationMs) / 1000) * gigabytes;

  const throttle = (request: number, nowMs: number): void => {
    throttleResponses++;
    ledger.throttled[request] = 1;
    if (attempts[request]! >= config.retry.maxAttempts) {
      ledger.failed[request] = 1;
      ledger.outstanding--;
      return;
    }
    queue.push(nowMs + retryDelayMs(config.retry, attempts[request]!, random), ARRIVAL, request);
  };

  const start = (request: number, nowMs: number, initMs: number, provisioned: boolean): void => {
    busy++;
    if (busy > peakBusy) peakBusy = busy;
    usage.invocations++;
    ledger.startMs[request] = nowMs;
    const durationMs = initMs + serviceMs[request]!;
    if (provisioned) usage.provisionedInvocationGbSeconds += billedGbSeconds(durationMs);
    else {
      usage.onDemandGbSeconds += billedGbSeconds(durationMs);
      usage.initGbSeconds += (initMs / 1000) * gigabytes;
    }
    if (durationMs > config.apiGateway.timeoutMs) timedOut[request] = 1;
    queue.push(nowMs + durationMs, FINISH, request, provisioned ? 1 : 0);
  };

  const arrive = (request: number, nowMs: number): void => {
    attempts[request]!++;
    if (!gateway.take(nowMs)) {
      usage.apiGatewayThrottles++;
      throttle(request, nowMs);
      return;
    }
    usage.apiGatewayRequests++;
    if (idleProvisioned > 0) {
      idleProvisioned--;
      start(request, nowMs, 0, true);
      return;
    }
    if (busy >= config.accountConcurrencyLimit) {
      throttle(request, nowMs);
      return;
    }
    onDemandAlive -= idle.expire(nowMs, config.idleExpiryMs);
    if (idle.count > 0) {
      idle.popNewest();
      start(request, nowMs, 0, false);
      return;
    }
    if (!scaling.take(nowMs)) {
      throttle(request, nowMs);
      return;
    }
    onDemandAlive++;
    const instances = onDemandAlive + config.provisionedConcurrency;
    if (instances > peakInstances) peakInstances = instances;
    ledger.cold[request] = 1;
    start(request, nowMs, config.initTime.sample(random), false);
  };

  const finish = (request: number, provisioned: boolean, nowMs: number): void => {
    busy--;
    if (provisioned) idleProvisioned++;
    else idle.push(nowMs);
    ledger.outstanding--;
    if (timedOut[request]) {
      usage.gatewayTimeouts++;
      ledger.failed[request] = 1;
      return;
    }
    ledger.doneMs[request] = nowMs;
  };

  if (arrivalsMs.length > 0) queue.push(0, SAMPLE);
  let nowMs = 0;
  while (nextArrival < arrivalsMs.length || queue.size > 0) {
    // Fresh arrivals come from the sorted array, so only retries and finishes sit in the heap.
    if (nextArrival < arrivalsMs.length && arrivalsMs[nextArrival]! < queue.peekTime()) {
      nowMs = arrivalsMs[nextArrival]!;
      arrive(nextArrival++, nowMs);
      continue;
    }
    queue.pop();
    nowMs = queue.time;
    if (queue.kind === ARRIVAL) arrive(queue.payload, nowMs);
    else if (queue.kind === FINISH) finish(queue.payload, queue.payload2 === 1, nowMs);
    else {
      onDemandAlive -= idle.expire(nowMs, config.idleExpiryMs);
      recordSample(timeline, nowMs, onDemandAlive + config.provisionedConcurrency, busy);
      if (ledger.outstanding > 0) queue.push(nowMs + config.sampleIntervalMs, SAMPLE);
    }
  }
  recordSample(timeline, nowMs, onDemandAlive + config.provisionedConcurrency, busy);
  const run = ledger.summarize('lambda', { throttleResponses, peakInstances, peakBusy, endMs: nowMs, timeline });
  return { ...run, platform: 'lambda', usage };
}
