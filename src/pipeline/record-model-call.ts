/** Accounts a finished model call on the next tick: bookkeeping is never on the client's clock, and never done twice. */

import type { TokenUsage } from '../chat/chat-types.js';
import type { RouteDecision } from '../models/route-decision.js';
import type { ModelServices } from './services.js';

function record(services: ModelServices, tenant: string, decision: RouteDecision, usage: TokenUsage, priced: ((costUsd: number) => void) | undefined): void {
  const costUsd = services.usage.record(tenant, decision, usage);
  priced?.(costUsd);
}

/** `priced` is told the call's cost once it is accounted (an experiment counts it for its variant). */
export function recordModelCall(services: ModelServices, tenant: string, decision: RouteDecision, usage: TokenUsage, priced?: (costUsd: number) => void): void {
  setImmediate(record, services, tenant, decision, usage, priced);
}
