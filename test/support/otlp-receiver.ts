/**
 * A real OTLP/HTTP trace receiver on port 0, as a collector would be: it accepts
 * `POST /v1/traces` in JSON or protobuf, answers 200 with an empty export response, and keeps
 * every span it decoded, flattened, for tests to assert on. Protobuf is decoded with protobufjs
 * over the subset of the OTLP trace messages the assertions read.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';

/** The OTLP trace messages, with the field numbers of opentelemetry-proto's trace/v1 and common/v1 (unread fields left out: protobuf skips them). */
const otlpProto = `
syntax = "proto3";
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message Resource { repeated KeyValue attributes = 1; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message InstrumentationScope { string name = 1; string version = 2; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  repeated Event events = 11;
  Status status = 15;
}
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
`;

const requestType = protobuf.parse(otlpProto).root.lookupType('ExportTraceServiceRequest');

/** OTLP span kinds. */
export const spanKinds = { internal: 1, server: 2, client: 3 } as const;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  kind: number;
  startNanos: bigint;
  endNanos: bigint;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  /** 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  resource: Record<string, unknown>;
  scope: string;
}

export interface ReceivedExport {
  contentType: string;
  path: string;
  bytes: number;
}

export interface OtlpReceiver {
  url: string;
  spans: ReceivedSpan[];
  exports: ReceivedExport[];
  close(): Promise<void>;
}

type Wire = Record<string, any>;

/** JSON carries ids as hex already; protobufjs gives bytes. */
function hex(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return Buffer.from(value as Uint8Array).toString('hex');
}

function anyValue(value: Wire | undefined): unknown {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.arrayValue !== undefined) return ((value.arrayValue.values ?? []) as Wire[]).map(anyValue);
  return undefined;
}

function attributes(list: Wire[] | undefined): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const entry of list ?? []) result[entry.key as string] = anyValue(entry.value as Wire);
  return result;
}

function flatten(request: Wire): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of (request.resourceSpans ?? []) as Wire[]) {
    const resource = attributes(resourceSpans.resource?.attributes);
    for (const scopeSpans of (resourceSpans.scopeSpans ?? []) as Wire[]) {
      for (const span of (scopeSpans.spans ?? []) as Wire[]) {
        spans.push({
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: hex(span.parentSpanId),
          name: span.name,
          kind: Number(span.kind ?? 0),
          startNanos: BigInt(String(span.startTimeUnixNano ?? 0)),
          endNanos: BigInt(String(span.endTimeUnixNano ?? 0)),
          attributes: attributes(span.attributes),
          events: ((span.events ?? []) as Wire[]).map((event) => ({ name: event.name as string, attributes: attributes(event.attributes) })),
          status: { code: Number(span.status?.code ?? 0), message: (span.status?.message as string | undefined) ?? '' },
          resource,
          scope: (scopeSpans.scope?.name as string | undefined) ?? '',
        });
      }
    }
  }
  return spans;
}

/** The spans of one export request body, in OTLP/JSON or OTLP/protobuf. */
export function decodeSpans(contentType: string, body: Buffer): ReceivedSpan[] {
  return flatten(decode(contentType, body));
}

function decode(contentType: string, body: Buffer): Wire {
  if (contentType.startsWith('application/json')) return JSON.parse(body.toString('utf8')) as Wire;
  if (contentType.startsWith('application/x-protobuf')) {
    return requestType.toObject(requestType.decode(body), { longs: String, defaults: false }) as Wire;
  }
  throw new Error(`unsupported content-type ${contentType}`);
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const exports: ReceivedExport[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const contentType = request.headers['content-type'] ?? '';
      const body = Buffer.concat(chunks);
      exports.push({ contentType, path: request.url ?? '', bytes: body.length });
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      try {
        spans.push(...decodeSpans(contentType, body));
      } catch (error) {
        response.writeHead(400, { 'content-type': 'text/plain' }).end((error as Error).message);
        return;
      }
      // An empty ExportTraceServiceResponse: full success.
      if (contentType.startsWith('application/json')) response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    exports,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The spans of one trace by name; fails the caller's assertion when a name is missing or repeated unexpectedly. */
export function byName(spans: readonly ReceivedSpan[]): Map<string, ReceivedSpan[]> {
  const map = new Map<string, ReceivedSpan[]>();
  for (const span of spans) {
    const list = map.get(span.name) ?? [];
    list.push(span);
    map.set(span.name, list);
  }
  return map;
}
