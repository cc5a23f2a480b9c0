/**
 * AWS Lambda behind API Gateway, one request per execution environment: warm reuse (most
 * recently used first) until an idle expiry, a cold start drawn from the init-time
 * distribution for each new environment, the per-function scaling rate (a token bucket of
 * 1,000 environments refilled continuously over 10 s), the account concurrency limit,
 * provisioned concurrency, API Gateway's throttle and integration timeout, and clients that
 * retry every 429 with backoff. Counts the GB-seconds, invocations and gateway requests
 * that billing needs. The gateway, the environments, the meter and the clients are objects of
 * their own; this runs them and keeps each request's record.
 */

import type { RandomSource } from '../../stats/seeded-random.js';
import { ApiGateway } from './api-gateway.js';
import { runEventLoop } from './event-loop.js';
import { EventQueue } from './event-queue.js';
import type { LambdaConfig } from './lambda-config.js';
import { LambdaCostMeter } from './lambda-cost-meter.js';
import { LambdaEnvironments } from './lambda-environments.js';
import { emptyTimeline, recordSample, RequestLedger, type PlatformRun } from './platform-run.js';
import { RetryingClients } from './retrying-clients.js';

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

export function simulateLambda(config: LambdaConfig, arrivalsMs: Float64Array, serviceMs: Float64Array, random: RandomSource): LambdaRun {
  const ledger = new RequestLedger(arrivalsMs);
  const clients = new RetryingClients(arrivalsMs.length, config.retry, random);
  const cutOff = new Uint8Array(arrivalsMs.length);
  const events = new EventQueue();
  const gateway = new ApiGateway(config.apiGateway);
  const environments = new LambdaEnvironments(config);
  const meter = new LambdaCostMeter(config.memoryMb);
  const timeline = emptyTimeline(config.sampleIntervalMs);

  /** A 429: the client retries after a backoff, or gives up after its last attempt. */
  const throttle = (request: number, nowMs: number): void => {
    ledger.throttled[request] = 1;
    const retryAtMs = clients.retryAt(request, nowMs);
    if (!Number.isNaN(retryAtMs)) {
      events.push(retryAtMs, ARRIVAL, request);
      return;
    }
    ledger.failed[request] = 1;
    ledger.outstanding--;
  };

  const arrive = (request: number, nowMs: number): void => {
    clients.attempt(request);
    const placement = gateway.admit(nowMs) ? environments.acquire(nowMs) : 'throttled';
    if (placement === 'throttled') {
      throttle(request, nowMs);
      return;
    }
    let initMs = 0;
    if (placement === 'cold') {
      ledger.cold[request] = 1;
      initMs = config.initTime.sample(random);
    }
    ledger.startMs[request] = nowMs;
    const durationMs = initMs + serviceMs[request]!;
    meter.bill(initMs, durationMs, placement === 'provisioned');
    if (gateway.cutsOff(durationMs)) cutOff[request] = 1;
    events.push(nowMs + durationMs, FINISH, request, placement === 'provisioned' ? 1 : 0);
  };

  const finish = (request: number, provisioned: boolean, nowMs: number): void => {
    environments.release(provisioned, nowMs);
    ledger.outstanding--;
    if (cutOff[request]) {
      gateway.timedOut++;
      ledger.failed[request] = 1;
      return;
    }
    ledger.doneMs[request] = nowMs;
  };

  if (arrivalsMs.length > 0) events.push(0, SAMPLE);
  const endMs = runEventLoop(arrivalsMs, events, {
    arrive,
    handle(kind, payload, payload2, nowMs) {
      if (kind === ARRIVAL) arrive(payload, nowMs);
      else if (kind === FINISH) finish(payload, payload2 === 1, nowMs);
      else {
        environments.expire(nowMs);
        recordSample(timeline, nowMs, environments.instances, environments.busy);
        if (ledger.outstanding > 0) events.push(nowMs + config.sampleIntervalMs, SAMPLE);
      }
    },
  });
  recordSample(timeline, endMs, environments.instances, environments.busy);
  const run = ledger.summarize('lambda', { throttleResponses: clients.throttleResponses, peakInstances: environments.peakInstances, peakBusy: environments.peakBusy, endMs, timeline });
  const usage: LambdaUsage = {
    invocations: meter.invocations,
    apiGatewayRequests: gateway.accepted,
    onDemandGbSeconds: meter.onDemandGbSeconds,
    initGbSeconds: meter.initGbSeconds,
    provisionedInvocationGbSeconds: meter.provisionedInvocationGbSeconds,
    gatewayTimeouts: gateway.timedOut,
    apiGatewayThrottles: gateway.throttled,
  };
  return { ...run, platform: 'lambda', usage };
}
