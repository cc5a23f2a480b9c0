/**
 * The OpenTelemetry implementation of the tracer: the SDK's tracer provider with a parent-based
 * ratio sampler, a batch processor and the OTLP/HTTP exporter (protobuf or JSON), W3C trace
 * context in and out. Loaded by create-tracer.ts only when tracing is on.
 */

import {
  DiagLogLevel,
  ROOT_CONTEXT,
  SpanKind as OtelSpanKind,
  SpanStatusCode,
  defaultTextMapGetter,
  defaultTextMapSetter,
  diag,
  trace,
  type Attributes,
  type Context,
  type Span as OtelSpan,
  type Tracer as OtelTracerApi,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, detectResources, envDetector, hostDetector, processDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { ResolvedTracing } from './tracing-settings.js';
import type { Logger } from './logger.js';
import type { AttributeValue, Span, SpanAttributes, SpanKind, Tracer } from './tracing.js';

const kinds: Record<SpanKind, OtelSpanKind> = { server: OtelSpanKind.SERVER, client: OtelSpanKind.CLIENT, internal: OtelSpanKind.INTERNAL };
const propagator = new W3CTraceContextPropagator();

/** The attributes without undefined values: the SDK would warn about each one. */
function defined(attributes: SpanAttributes | undefined): Attributes | undefined {
  if (!attributes) return undefined;
  const result: Attributes = {};
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined) result[key] = value as Attributes[string];
  }
  return result;
}

class OtelBackedSpan implements Span {
  readonly enabled = true;
  readonly #span: OtelSpan;
  readonly #owner: OtelTracer;
  #context: Context | undefined;

  constructor(span: OtelSpan, owner: OtelTracer) {
    this.#span = span;
    this.#owner = owner;
  }

  get capturesContent(): boolean {
    return this.#owner.captureContent;
  }

  /** This span as a parent, made once: children and injected headers both need it. */
  #asContext(): Context {
    return (this.#context ??= trace.setSpan(ROOT_CONTEXT, this.#span));
  }

  child(name: string, kind: SpanKind = 'internal', attributes?: SpanAttributes): Span {
    return this.#owner.start(name, kind, this.#asContext(), attributes);
  }

  setAttribute(key: string, value: AttributeValue | undefined): void {
    if (value !== undefined) this.#span.setAttribute(key, value as Attributes[string] & {});
  }

  addEvent(name: string, attributes?: SpanAttributes): void {
    this.#span.addEvent(name, defined(attributes));
  }

  fail(errorType: string, message?: string): void {
    this.#span.setAttribute('error.type', errorType);
    this.#span.setStatus({ code: SpanStatusCode.ERROR, message });
  }

  inject(headers: Record<string, string>): void {
    propagator.inject(this.#asContext(), headers, defaultTextMapSetter);
  }

  end(): void {
    this.#span.end();
  }
}

class OtelTracer implements Tracer {
  readonly enabled = true;
  readonly captureContent: boolean;
  readonly #provider: TracerProvider;
  readonly #tracer: OtelTracerApi;

  constructor(provider: TracerProvider, serviceName: string, serviceVersion: string, captureContent: boolean) {
    this.#provider = provider;
    this.#tracer = provider.getTracer(serviceName, serviceVersion);
    this.captureContent = captureContent;
  }

  start(name: string, kind: SpanKind, parent: Context, attributes: SpanAttributes | undefined): Span {
    return new OtelBackedSpan(this.#tracer.startSpan(name, { kind: kinds[kind], attributes: defined(attributes) }, parent), this);
  }

  startRequestSpan(name: string, traceparent: string | undefined, tracestate: string | undefined, attributes?: SpanAttributes): Span {
    const parent = traceparent === undefined ? ROOT_CONTEXT : propagator.extract(ROOT_CONTEXT, { traceparent, tracestate }, defaultTextMapGetter);
    return this.start(name, 'server', parent, attributes);
  }

  forceFlush(): Promise<void> {
    return this.#provider.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.#provider.shutdown();
  }
}

function createExporter(settings: ResolvedTracing): SpanExporter {
  // Both exporters are small and static imports: the heavy OTLP transformer and HTTP code is shared by them.
  const options = { url: settings.url, headers: settings.headers, timeoutMillis: settings.exportTimeoutMs };
  return settings.protocol === 'http/json' ? new JsonTraceExporter(options) : new ProtobufTraceExporter(options);
}

/** The SDK's own complaints (a failed export, a full queue) go to the process log at warn. */
function routeDiagnostics(logger: Pick<Logger, 'warn'>): void {
  const warn = (message: string, ...args: unknown[]) => logger.warn({ otel: args.length > 0 ? args.map(String).join(' ') : undefined }, `opentelemetry: ${message}`);
  const ignore = () => undefined;
  diag.setLogger({ error: warn, warn, info: ignore, debug: ignore, verbose: ignore }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
}

export function createOtelTracer(settings: ResolvedTracing, logger: Pick<Logger, 'warn'>): Tracer {
  routeDiagnostics(logger);
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the config's name, as operators expect.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName, [ATTR_SERVICE_VERSION]: settings.serviceVersion }))
    .merge(detectResources({ detectors: [hostDetector, processDetector, envDetector] }));
  const provider = new TracerProvider({
    resource,
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.sampleRatio) }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: createExporter(settings),
        maxQueueSize: settings.maxQueueSize,
        maxExportBatchSize: settings.maxExportBatchSize,
        scheduledDelayMillis: settings.scheduledDelayMs,
        exportTimeoutMillis: settings.exportTimeoutMs,
      }),
    ],
  });
  return new OtelTracer(provider, settings.serviceName, settings.serviceVersion, settings.captureContent);
}
