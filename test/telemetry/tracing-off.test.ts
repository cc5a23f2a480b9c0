import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startCli, waitForExit } from '../support/cli.js';
import { oneSimulatorConfigYaml } from '../support/one-simulator-config.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';

const recorder = pathToFileURL(new URL('./fixtures/record-module-loads.js', import.meta.url).pathname).href;
/** The OpenTelemetry SDK, exporters and their dependencies: the API alone is prom-client's (it reads the active span for exemplars). */
const sdkModule = /otel-tracer|@opentelemetry\/(?!api\/)/;

/**
 * The shipped CLI bundle, started as an operator would, with every module it resolves logged:
 * tracing off must not load the OpenTelemetry SDK at all (start-up time and memory stay as they
 * were); tracing on loads it and exports the turn's spans, flushed on SIGTERM.
 */
describe('the OpenTelemetry SDK is loaded only when tracing is on', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-tracing-off-'));
  const configPath = join(dir, 'config.yaml');
  let receiver: OtlpReceiver;
  before(async () => {
    receiver = await startOtlpReceiver();
    writeFileSync(configPath, oneSimulatorConfigYaml());
  });
  after(async () => {
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Serves one turn, stops with SIGTERM, and returns the module URLs the process resolved. */
  async function serveOneTurn(name: string, env: Record<string, string>): Promise<string[]> {
    const dataDir = join(dir, name);
    const logFile = join(dir, `${name}-modules.log`);
    writeFileSync(logFile, '');
    const { child, match } = await startCli(['serve', '--config', configPath, '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], /listening on (http:\/\/\S+) [\s\S]*\n  (sb-\S+)\n/, {
      env: { NODE_OPTIONS: `--import=${recorder}`, SWITCHBOARD_MODULE_LOG: logFile, OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', ...env },
      timeoutMs: 30_000,
    });
    try {
      const [, url, key] = match;
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const session = (await (await fetch(`${url}/v1/sessions`, { method: 'POST', headers })).json()) as { id: string };
      const turn = await fetch(`${url}/v1/sessions/${session.id}/messages`, { method: 'POST', headers, body: '{"content":"hello","stream":true}' });
      assert.equal(turn.status, 200);
      await turn.text();
    } finally {
      child.kill('SIGTERM');
      assert.deepEqual(await waitForExit(child), { code: 0, signal: null });
    }
    return readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
  }

  it('with tracing off, serves a turn without resolving any OpenTelemetry SDK module', async () => {
    const modules = await serveOneTurn('off', {});
    assert.ok(modules.some((url) => /chunks\/serve-/.test(url)), `the recorder saw the server's own chunks: ${modules.join(', ')}`);
    assert.deepEqual(modules.filter((url) => sdkModule.test(url)), []);
  });

  it('with OTEL_EXPORTER_OTLP_ENDPOINT set, loads the SDK and exports the turn, flushed on shutdown', async () => {
    const modules = await serveOneTurn('on', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    assert.ok(modules.some((url) => sdkModule.test(url)), 'the tracer chunk was loaded');
    const turn = receiver.spans.find((span) => span.name === 'POST /v1/sessions/{id}/messages');
    assert.ok(turn, `the turn's server span reached the receiver: ${receiver.spans.map((span) => span.name).join(', ')}`);
    assert.equal(turn.resource['service.name'], 'switchboard');
    assert.ok(receiver.spans.some((span) => span.name === 'chat sim' && span.traceId === turn.traceId));
    assert.ok(receiver.exports.every((sent) => sent.contentType === 'application/x-protobuf'), 'the default protocol is http/protobuf');
  });
});
