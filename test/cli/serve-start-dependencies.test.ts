import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { startCli, waitForExit } from '../support/cli.js';
import { oneSimulatorConfigYaml } from '../support/one-simulator-config.js';

const recorder = pathToFileURL(new URL('./fixtures/record-loaded-on-exit.js', import.meta.url).pathname).href;

/**
 * The shipped bundle, started as an operator would and asked for one turn over HTTP/1.1: what only an
 * unconfigured feature needs stays unloaded through the start, the request and the shutdown. undici's
 * HTTP/2 client (node:http2, node:tls) waits for a connection that agreed on h2, and prom-client's
 * exemplar support (@opentelemetry/api) for exemplars, which the metrics never turn on
 * (scripts/lazy-dependency-requires.mjs).
 */
describe('a one-process serve loads neither HTTP/2 nor the OpenTelemetry API it does not use', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-start-deps-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves a turn over HTTP/1.1 upstreams without node:http2, node:tls or @opentelemetry/api', async () => {
    const configPath = join(dir, 'config.yaml');
    const logFile = join(dir, 'loaded.log');
    writeFileSync(configPath, oneSimulatorConfigYaml());
    const { child, match } = await startCli(['serve', '--config', configPath, '--port', '0', '--host', '127.0.0.1', '--data-dir', join(dir, 'data')], /listening on (http:\/\/\S+) [\s\S]*\n  (sb-\S+)\n/, {
      env: { NODE_OPTIONS: `--import=${recorder}`, SWITCHBOARD_LOADED_LOG: logFile, OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' },
      timeoutMs: 30_000,
    });
    try {
      const [, url, key] = match;
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const session = (await (await fetch(`${url}/v1/sessions`, { method: 'POST', headers })).json()) as { id: string };
      const turn = await fetch(`${url}/v1/sessions/${session.id}/messages`, { method: 'POST', headers, body: '{"content":"hello"}' });
      assert.equal(turn.status, 200);
      await turn.text();
      const metrics = await fetch(`${url}/metrics`, { headers });
      assert.match(await metrics.text(), /process_cpu_user_seconds_total/);
    } finally {
      child.kill('SIGTERM');
      assert.deepEqual(await waitForExit(child), { code: 0, signal: null });
    }
    const loaded = readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
    assert.ok(loaded.includes('NativeModule http'), `the recorder saw the builtins: ${loaded.join(', ')}`);
    assert.deepEqual(loaded.filter((entry) => /^NativeModule (http2|tls)$|[\\/]@opentelemetry[\\/]/.test(entry)), []);
  });
});
