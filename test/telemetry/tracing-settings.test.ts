import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config/load-config.js';
import { createTracer } from '../../src/telemetry/create-tracer.js';
import { resolveTracing } from '../../src/telemetry/tracing-settings.js';
import { noopSpan, noopTracer } from '../../src/telemetry/tracing.js';
import { testConfig } from '../support/test-server.js';

const settings = (tracing: Record<string, unknown> = {}) => parseConfig(testConfig({ telemetry: { tracing } })).telemetry.tracing;
const silent = { info: () => undefined, warn: () => undefined };

describe('when tracing is on, and where it exports', () => {
  it('is off without config or OTEL_* variables, and the tracer is the no-op one', async () => {
    assert.equal(resolveTracing(settings(), {}), undefined);
    assert.equal(await createTracer(settings(), silent, {}), noopTracer);
    assert.equal(noopTracer.startRequestSpan('GET /', undefined, undefined), noopSpan);
    assert.equal(noopSpan.child('stage'), noopSpan, 'a child of the no-op span is the same object: nothing is allocated');
  });

  it('turns on with OTEL_EXPORTER_OTLP_ENDPOINT (the signal path appended) or the per-signal endpoint (used as is)', () => {
    assert.equal(resolveTracing(settings(), { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })?.url, 'http://collector:4318/v1/traces');
    assert.equal(resolveTracing(settings(), { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://otel.example/ingest' })?.url, 'https://otel.example/ingest');
    assert.equal(resolveTracing(settings(), { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/v1/traces' })?.url, 'http://b:4318/v1/traces');
    assert.equal(resolveTracing(settings(), { OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }), undefined, 'a blank variable is unset');
  });

  it('lets the config decide over the variables: enabled false wins, enabled true without an endpoint uses localhost:4318', () => {
    assert.equal(resolveTracing(settings({ enabled: false }), { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), undefined);
    assert.equal(resolveTracing(settings({ enabled: true }), {})?.url, 'http://localhost:4318/v1/traces');
    assert.equal(resolveTracing(settings({ endpoint: 'http://mine:4318' }), { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })?.url, 'http://mine:4318/v1/traces');
    assert.equal(resolveTracing(settings(), { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }), undefined);
    assert.equal(resolveTracing(settings(), { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' }), undefined);
  });

  it('speaks protobuf by default, JSON when asked, and refuses gRPC by name', () => {
    assert.equal(resolveTracing(settings({ enabled: true }), {})?.protocol, 'http/protobuf');
    assert.equal(resolveTracing(settings({ enabled: true }), { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })?.protocol, 'http/json');
    assert.equal(resolveTracing(settings({ enabled: true, protocol: 'http/protobuf' }), { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' })?.protocol, 'http/protobuf');
    assert.throws(() => resolveTracing(settings({ enabled: true }), { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }), (error: unknown) => error instanceof ConfigError && /OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" is not supported/.test(error.message));
  });

  it('validates the config, naming the bad field', () => {
    const problems = (tracing: Record<string, unknown>) => {
      try {
        parseConfig(testConfig({ telemetry: { tracing } } as never));
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    assert.deepEqual(problems({ protocol: 'grpc' }).map((problem) => problem.split(':')[0]), ['telemetry.tracing.protocol']);
    assert.match(problems({ endpoint: 'collector:4318' })[0]!, /^telemetry\.tracing\.endpoint: must be an http/);
    assert.match(problems({ sampleRatio: 2 })[0]!, /^telemetry\.tracing\.sampleRatio/);
    assert.match(problems({ maxQueueSize: 10, maxExportBatchSize: 20 })[0]!, /^telemetry\.tracing\.maxExportBatchSize: maxExportBatchSize must not exceed maxQueueSize/);
    assert.match(problems({ colour: 'blue' })[0]!, /^telemetry\.tracing: Unrecognized key/);
    assert.deepEqual(settings().captureContent, false);
  });
});
