/** Tracing settings as the tracer is built with them: the config reconciled with the standard OTEL_* variables. */

import { ConfigError } from '../config/load-config.js';
import type { SwitchboardConfig } from '../config/config-schema.js';

export type TracingSettings = SwitchboardConfig['telemetry']['tracing'];

/** What the OpenTelemetry tracer is built with, once the config and the environment are reconciled. */
export interface ResolvedTracing {
  url: string;
  protocol: 'http/protobuf' | 'http/json';
  headers: Record<string, string>;
  serviceName: string;
  serviceVersion: string;
  sampleRatio: number;
  captureContent: boolean;
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduledDelayMs: number;
  exportTimeoutMs: number;
}

const defaultEndpoint = 'http://localhost:4318';

/** The variable trimmed, or undefined when it is unset or blank. */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** The settings to trace with, or undefined when tracing is off. Throws a ConfigError for a protocol it cannot speak. */
export function resolveTracing(settings: TracingSettings, env: NodeJS.ProcessEnv = process.env, serviceVersion = 'unknown'): ResolvedTracing | undefined {
  const tracesEndpoint = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const baseEndpoint = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const disabledByEnv = nonEmpty(env.OTEL_SDK_DISABLED)?.toLowerCase() === 'true' || nonEmpty(env.OTEL_TRACES_EXPORTER)?.toLowerCase() === 'none';
  const enabled = settings.enabled ?? (!disabledByEnv && (tracesEndpoint !== undefined || baseEndpoint !== undefined));
  if (!enabled) return undefined;
  const envProtocol = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_PROTOCOL);
  const protocol = settings.protocol ?? envProtocol ?? 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    throw new ConfigError('environment', [`OTEL_EXPORTER_OTLP_PROTOCOL: "${protocol}" is not supported; use http/protobuf or http/json (OTLP over HTTP)`]);
  }
  // A per-signal endpoint is the full URL; a base endpoint gets the signal's path, as the OTLP exporter specification says.
  const url = settings.endpoint !== undefined ? withTracesPath(settings.endpoint) : (tracesEndpoint ?? withTracesPath(baseEndpoint ?? defaultEndpoint));
  return {
    url,
    protocol,
    headers: settings.headers,
    serviceName: settings.serviceName,
    serviceVersion,
    sampleRatio: settings.sampleRatio,
    captureContent: settings.captureContent,
    maxQueueSize: settings.maxQueueSize,
    maxExportBatchSize: settings.maxExportBatchSize,
    scheduledDelayMs: settings.scheduledDelayMs,
    exportTimeoutMs: settings.exportTimeoutMs,
  };
}

function withTracesPath(base: string): string {
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}
