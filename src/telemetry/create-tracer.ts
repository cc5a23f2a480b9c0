/**
 * Decides whether tracing is on — the config, else the standard OTEL_* variables — and only then
 * loads the OpenTelemetry SDK and exporter (hundreds of milliseconds and several MB): a process
 * with tracing off never imports them.
 */

import type { Logger } from './logger.js';
import { nonEmpty, resolveTracing, type TracingSettings } from './tracing-settings.js';
import { noopTracer, type Tracer } from './tracing.js';

/** The no-op tracer when tracing is off; otherwise the OpenTelemetry one, loaded now. */
export async function createTracer(settings: TracingSettings, logger: Pick<Logger, 'info' | 'warn'>, env: NodeJS.ProcessEnv = process.env): Promise<Tracer> {
  const resolved = resolveTracing(settings, env, serviceVersionOf(env));
  if (!resolved) return noopTracer;
  const { createOtelTracer } = await import('./otel-tracer.js');
  const tracer = createOtelTracer(resolved, logger);
  logger.info({ endpoint: resolved.url, protocol: resolved.protocol, sampleRatio: resolved.sampleRatio, captureContent: resolved.captureContent }, 'tracing on');
  return tracer;
}

function serviceVersionOf(env: NodeJS.ProcessEnv): string {
  // npm sets it for `npm start`; an image can set it; otherwise the version is unknown to a bundle.
  return nonEmpty(env.SWITCHBOARD_VERSION) ?? nonEmpty(env.npm_package_version) ?? 'unknown';
}
