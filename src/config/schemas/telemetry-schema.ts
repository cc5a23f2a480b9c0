/** Telemetry settings: OpenTelemetry traces exported over OTLP/HTTP (metrics and logs have their own). */

import { z } from 'zod';
import { headerNameSchema } from './common-schemas.js';

export const tracingProtocols = ['http/protobuf', 'http/json'] as const;

export const tracingSchema = z
  .object({
    /**
     * `true`: on; `false`: off even when the OTEL_* variables say otherwise; unset: on exactly when
     * OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set (and OTEL_SDK_DISABLED is not true).
     */
    enabled: z.boolean().optional(),
    /** The collector's OTLP/HTTP base URL, `/v1/traces` appended (as OTEL_EXPORTER_OTLP_ENDPOINT); default: the variables, else http://localhost:4318. */
    endpoint: z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// URL').optional(),
    /** Default: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL or OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf. gRPC is not supported. */
    protocol: z.enum(tracingProtocols).optional(),
    /** Extra export headers (an API key of a hosted backend); merged over OTEL_EXPORTER_OTLP_HEADERS. */
    headers: z.record(headerNameSchema, z.string()).default({}),
    serviceName: z.string().min(1).default('switchboard'),
    /** Share of new traces recorded (0–1); a request with an incoming `traceparent` follows its caller's decision. */
    sampleRatio: z.number().min(0).max(1).default(1),
    /**
     * Record prompts, completions and system instructions on the model spans (`gen_ai.input.messages`,
     * `gen_ai.output.messages`, `gen_ai.system_instructions`). Off by default: they hold users' data.
     */
    captureContent: z.boolean().default(false),
    /** Spans waiting for export past this are dropped (and counted in the log), so a dead collector costs bounded memory. */
    maxQueueSize: z.number().int().positive().default(8_192),
    maxExportBatchSize: z.number().int().positive().default(512),
    /** How long ended spans wait before a batch is sent, unless a full batch is ready earlier. */
    scheduledDelayMs: z.number().int().positive().default(2_000),
    exportTimeoutMs: z.number().int().positive().default(10_000),
  })
  .strict()
  .refine((tracing) => tracing.maxExportBatchSize <= tracing.maxQueueSize, { message: 'maxExportBatchSize must not exceed maxQueueSize', path: ['maxExportBatchSize'] })
  .prefault({});

export const telemetrySchema = z.object({ tracing: tracingSchema }).strict().prefault({});
