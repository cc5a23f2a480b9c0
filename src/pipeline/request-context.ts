/** What every request's lifecycle knows about its caller: who it is, and the admission slot it holds. */

import type { CallerSignal } from '../models/caller-abort.js';
import type { RouteDecision } from '../models/route-decision.js';
import type { ApiKeyRecord } from '../stores/store-types.js';
import type { Span } from '../telemetry/tracing.js';
import type { RequestAbort } from './request-abort.js';
import type { StageTimer } from './stage-timer.js';

export interface RequestContext {
  readonly authorization: string | undefined;
  readonly timer: StageTimer;
  /** The request's server span (the no-op span when tracing is off): each stage's span is its child. */
  readonly span: Span;
  /** Aborted when the client disconnects before the response ends: waits (the admission queue) give up at once. */
  readonly signal?: CallerSignal;
  /** The owner of `signal` when the exchange has one: tells a client leaving from a deadline, and lets the turn's deadline share the signal. */
  readonly abort?: RequestAbort;
  caller?: ApiKeyRecord;
  /** Where the request's model call went, when it made one: for the access log and the request counter. */
  decision?: RouteDecision;
  /** Gives the admission slot back; the lifecycle calls it when the response is over. */
  release?: () => void;
}
