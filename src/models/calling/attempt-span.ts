/** The HTTP client span of one attempt on one instance, and the upstream request that carries its `traceparent`. */

import type { ChatCallRequest } from '../../chat/chat-types.js';
import { spanErrorType } from '../../telemetry/span-error-type.js';
import type { Span } from '../../telemetry/tracing.js';
import type { InstanceState } from '../instance-state.js';
import type { AttemptOutcome } from '../upstream-attempt.js';
import { isUpstreamError } from '../upstream-error.js';
import type { ModelCall } from './model-call.js';

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

/** Parsed once per instance; weakly held, so a retired generation's instances take theirs with them. */
const endpoints = new WeakMap<InstanceState, Endpoint>();

/** `server.address` and `server.port` of an instance, as the conventions want them. */
export function endpointOf(instance: InstanceState): Endpoint {
  let endpoint = endpoints.get(instance);
  if (!endpoint) {
    const url = new URL(instance.url);
    endpoint = { address: url.hostname, port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80 };
    endpoints.set(instance, endpoint);
  }
  return endpoint;
}

/** The span of the attempt the retrying caller just set up on `call` (its instance and attempt number). */
export function startAttemptSpan(call: ModelCall): Span {
  const instance = call.instance!;
  const { address, port } = endpointOf(instance);
  const attempt = call.decision.attempts;
  return call.span.child('POST', 'client', {
    'http.request.method': 'POST',
    'server.address': address,
    'server.port': port,
    'http.request.resend_count': attempt > 1 ? attempt - 1 : undefined,
    'switchboard.pool': instance.pool,
    'switchboard.instance': instance.url,
  });
}

/** The request with this attempt's trace context in its headers: a copy, as the call's request is shared by all its attempts. */
export function withTraceContext(request: ChatCallRequest, span: Span): ChatCallRequest {
  const headers: Record<string, string> = { ...request.headers };
  span.inject(headers);
  return { ...request, headers };
}

/**
 * `error.type` is the upstream's status code for an error status, else the kind of failure
 * (connect, first-token-timeout, total-timeout, protocol, stream-broken, aborted); `cancelled`
 * when the caller stopped reading before the end.
 */
export function endAttemptSpan(span: Span, outcome: AttemptOutcome, error: unknown): void {
  if (isUpstreamError(error)) {
    if (error.status !== undefined) span.setAttribute('http.response.status_code', error.status);
    span.fail(error.kind === 'status' && error.status !== undefined ? String(error.status) : error.kind, error.message);
  } else if (error !== undefined) {
    span.fail(spanErrorType(error), error instanceof Error ? error.message : undefined);
  } else if (outcome !== 'ok') {
    span.fail('cancelled');
  }
  span.end();
}
