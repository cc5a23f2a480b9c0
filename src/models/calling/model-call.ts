/** One model call as it moves down the callers: the caller's request, and where each layer sent it. */

import type { ChatCallRequest } from '../../chat/chat-types.js';
import type { CallerSignal } from '../caller-abort.js';
import type { BalanceRequest } from '../balancers/balancer.js';
import type { InstanceState } from '../instance-state.js';
import type { ModelPool } from '../model-pool.js';
import type { RouteDecision } from '../route-decision.js';
import type { RoutePlan, RoutingHints } from '../route-plan.js';
import { noopSpan, type Span } from '../../telemetry/tracing.js';

export class ModelCall {
  readonly request: ChatCallRequest;
  readonly signal: CallerSignal;
  readonly hints: RoutingHints | undefined;
  readonly plan: RoutePlan;
  readonly decision: RouteDecision;
  /** The span the call is made for (a stage's); the no-op span when tracing is off. */
  readonly parent: Span;
  /** Set by the tracing caller: the call's own span over all its attempts, parent of each attempt's. */
  span: Span = noopSpan;
  /** Reused by every pick of this call: the balancer reads it synchronously. */
  readonly balance: BalanceRequest;
  /** Set by the fallback caller: the pool being tried, and whether it is the plan's last usable one. */
  pool: ModelPool | undefined;
  lastPool = false;
  /** Set per pool by the retrying caller: the request with that pool's model name. */
  upstreamRequest: ChatCallRequest;
  /** Set per attempt by the retrying caller. */
  instance: InstanceState | undefined;

  constructor(request: ChatCallRequest, signal: CallerSignal, hints: RoutingHints | undefined, plan: RoutePlan, decision: RouteDecision, parent: Span = noopSpan) {
    this.request = request;
    this.parent = parent;
    this.signal = signal;
    this.hints = hints;
    this.plan = plan;
    this.decision = decision;
    this.upstreamRequest = request;
    this.balance = { affinityKey: undefined, now: 0, prompt: request };
  }
}
