/**
 * The tracer the code speaks: spans with attributes and events, started as children of the span
 * that is passed down explicitly (no async context). With tracing off every span is `noopSpan`,
 * which does nothing and allocates nothing; the OpenTelemetry implementation (otel-tracer.ts) is
 * loaded only when tracing is on (create-tracer.ts).
 */

export type SpanKind = 'server' | 'client' | 'internal';
export type AttributeValue = string | number | boolean | readonly string[] | readonly number[];
export type SpanAttributes = Readonly<Record<string, AttributeValue | undefined>>;

export interface Span {
  /**
   * False for the no-op span. Callers check it before building span names, attribute values or
   * header objects, so tracing off costs a property read.
   */
  readonly enabled: boolean;
  /** Prompts and completions may be recorded on this span's children (`telemetry.tracing.captureContent`). */
  readonly capturesContent: boolean;
  /** A child of this span, started now. */
  child(name: string, kind?: SpanKind, attributes?: SpanAttributes): Span;
  /** An undefined value is skipped, so optional fields need no check. */
  setAttribute(key: string, value: AttributeValue | undefined): void;
  addEvent(name: string, attributes?: SpanAttributes): void;
  /** The operation failed: `error.type` (a low-cardinality class) and an error status with `message`. */
  fail(errorType: string, message?: string): void;
  /** Writes `traceparent` (and `tracestate`) into `headers`, for a call made on behalf of this span. */
  inject(headers: Record<string, string>): void;
  end(): void;
}

export interface Tracer {
  readonly enabled: boolean;
  /** The server span of one incoming request; it continues the caller's trace when `traceparent` is valid. */
  startRequestSpan(name: string, traceparent: string | undefined, tracestate: string | undefined, attributes?: SpanAttributes): Span;
  /** Exports every ended span now (a Lambda invocation calls it before returning). */
  forceFlush(): Promise<void>;
  /** Flushes and stops exporting. */
  shutdown(): Promise<void>;
}

function nothing(): void {}

export const noopSpan: Span = Object.freeze({
  enabled: false,
  capturesContent: false,
  child: () => noopSpan,
  setAttribute: nothing,
  addEvent: nothing,
  fail: nothing,
  inject: nothing,
  end: nothing,
});

const resolved = Promise.resolve();

export const noopTracer: Tracer = Object.freeze({
  enabled: false,
  startRequestSpan: () => noopSpan,
  forceFlush: () => resolved,
  shutdown: () => resolved,
});
