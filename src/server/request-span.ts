/**
 * The server span of one request, as the HTTP semantic conventions shape it: named
 * `{method} {route}`, continuing the caller's `traceparent`, ending with the status code and,
 * for a 5xx, the error's class.
 */

import type { Span, Tracer } from '../telemetry/tracing.js';
import { spanErrorType } from '../telemetry/span-error-type.js';
import type { HttpExchange } from './http-exchange.js';

/** `/v1/sessions/:id/messages` → `/v1/sessions/{id}/messages`, made once per pattern (the patterns are a fixed set). */
const templates = new Map<string, string>();

function routeTemplate(pattern: string): string {
  let template = templates.get(pattern);
  if (template === undefined) {
    template = pattern.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    templates.set(pattern, template);
  }
  return template;
}

/** `pattern` is the matched route's, undefined when no route matched (the span is then named by the method alone). */
export function startRequestSpan(tracer: Tracer, exchange: HttpExchange, pattern: string | undefined): Span {
  const route = pattern === undefined ? undefined : routeTemplate(pattern);
  return tracer.startRequestSpan(route === undefined ? exchange.method : `${exchange.method} ${route}`, exchange.header('traceparent'), exchange.header('tracestate'), {
    'http.request.method': exchange.method,
    'url.path': exchange.path,
    'http.route': route,
    'user_agent.original': exchange.header('user-agent'),
  });
}

/** A 4xx is the client's doing and leaves the span's status alone; a 5xx marks it failed. */
export function endRequestSpan(span: Span, status: number, error: unknown): void {
  span.setAttribute('http.response.status_code', status);
  if (status >= 500) span.fail(error === undefined ? String(status) : spanErrorType(error), error instanceof Error ? error.message : undefined);
  span.end();
}
