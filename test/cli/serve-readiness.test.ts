import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { startCli, waitForExit } from '../support/cli.js';
import { oneSimulatorConfigYaml } from '../support/one-simulator-config.js';

const recorder = pathToFileURL(new URL('../telemetry/fixtures/record-module-loads.js', import.meta.url).pathname).href;

/**
 * What a one-process `serve` loads on its way to ready, as the loader saw it, the shipped bundle started
 * as an operator would with every module it resolves logged. `/readyz` 200 means the first request does
 * not wait for code: the upstream HTTP client (undici's chunk) is loaded before the listener opens, not on
 * the first call. And node:cluster (with node:child_process) belongs to the primary of `--workers N` only.
 */
describe('serve is ready only with the upstream client loaded, and loads no cluster in one process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-serve-ready-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('has loaded undici by the time /readyz answers 200, before any request went upstream, and never node:cluster or node:child_process', async () => {
    const configPath = join(dir, 'config.yaml');
    const logFile = join(dir, 'modules.log');
    writeFileSync(configPath, oneSimulatorConfigYaml());
    writeFileSync(logFile, '');
    const { child, match } = await startCli(['serve', '--config', configPath, '--port', '0', '--host', '127.0.0.1', '--data-dir', join(dir, 'data')], /listening on (http:\/\/\S+) /, {
      env: { NODE_OPTIONS: `--import=${recorder}`, SWITCHBOARD_MODULE_LOG: logFile },
      timeoutMs: 30_000,
    });
    try {
      const ready = await fetch(`${match[1]}/readyz`);
      assert.equal(ready.status, 200);
      await ready.text();
      const modules = readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
      assert.ok(modules.some((url) => /\/chunks\/serve-/.test(url)), `the recorder saw the server's chunks: ${modules.join(', ')}`);
      assert.ok(modules.some((url) => /\/chunks\/undici-/.test(url)), `undici's chunk was loaded before ready: ${modules.join(', ')}`);
    } finally {
      child.kill('SIGTERM');
      assert.deepEqual(await waitForExit(child), { code: 0, signal: null });
    }
    // Through the shutdown too.
    const modules = readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
    assert.deepEqual(modules.filter((url) => /^node:(cluster|child_process)$/.test(url) || /serve-cluster/.test(url)), []);
  });
});
