/** The state of one chat completion as it moves through its stages. */

import type { ChatCallRequest, ChatCallResult, ChatStreamPart, FinishReason, TokenUsage } from '../../chat/chat-types.js';
import type { CallerSignal } from '../../models/caller-abort.js';
import type { RequestExperiments } from '../../experiments/request-experiments.js';
import type { RouteDecision } from '../../models/route-decision.js';
import type { RoutingHints } from '../../models/route-plan.js';
import type { RequestContext } from '../request-context.js';

/** How a streamed completion reaches its transport: opened once the first part arrived, so earlier failures keep their status. */
export interface ChatStreamEvents {
  open(decision: RouteDecision): Promise<void> | void;
  delta(text: string): Promise<void> | void;
  /** A piece of tool call `index`: id and name on its first piece, argument text in order. */
  toolCallDelta(part: Extract<ChatStreamPart, { type: 'tool-call-delta' }>): Promise<void> | void;
  finish(finishReason: FinishReason, usage: TokenUsage): Promise<void> | void;
  /** The upstream stream ended well. */
  done(): Promise<void> | void;
  /** Past the first token nothing can be retried: the stream ends with this error. */
  fail(error: unknown): Promise<void> | void;
  /** Always called last, whatever happened. */
  close(): void;
  /** True once the client went away: the relay stops reading. */
  readonly closed: boolean;
}

export interface ChatContext extends RequestContext {
  /** The model route the caller named. */
  readonly route: string;
  /** The caller's request, with any experiment variant's parameters applied by assign-variant. */
  request: ChatCallRequest;
  readonly signal: CallerSignal;
  /** Request headers, for a pool whose affinity is keyed by a header. */
  readonly headers: RoutingHints['headers'];
  /** Present when the completion streams. */
  readonly events: ChatStreamEvents | undefined;
  hints?: RoutingHints;
  /** The experiments the completion is in, when any applies. */
  experiments?: RequestExperiments;
  decision?: RouteDecision;
  /** The whole answer of a non-streamed completion. */
  result?: ChatCallResult;
}
