/** `switchboard serve` reloads its config on SIGHUP and, with --watch-config, when the file changes; a bad file is refused and the process serves on. */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli, startCli, waitForExit } from '../support/cli.js';

function config(route: string): string {
  return `simulator: { instances: 1, ttftMs: 5, itlMs: 1, outputTokens: 4 }
pools:
  sim: { model: sim, instances: [{ url: "simulator://0" }] }
routes:
  ${route}: { pool: sim }
agents:
  helper: { route: ${route} }
intent: { defaultAgent: helper }
logging: { level: warn }
`;
}

async function metric(url: string, pattern: RegExp): Promise<number | undefined> {
  const match = pattern.exec(await (await fetch(`${url}/metrics`)).text());
  return match ? Number(match[1]) : undefined;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('switchboard serve reloads', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-serve-reload-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('on SIGHUP and on a file change, refusing a bad file', async () => {
    const path = join(dataDir, 'switchboard.yaml');
    writeFileSync(path, config('first'));
    const key = runCli(['keys', 'create', '--tenant', 'ops', '--config', path, '--data-dir', dataDir]).stdout.trim();
    const { child, match } = await startCli(['serve', '--config', path, '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--watch-config'], /listening on (http:\/\/\S+)/);
    const url = match[1]!;
    const routes = async () => ((await (await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).json()) as { data: { id: string }[] }).data.map((model) => model.id).filter((id) => !id.startsWith('agent:'));
    try {
      assert.equal(await metric(url, /^switchboard_config_generation (\d+)$/m), 1);
      // The watcher settles file events for 200 ms before it reads the file: this write and the signal are one reload or two, either way generation ≥ 2 serves "second".
      writeFileSync(path, config('second'));
      child.kill('SIGHUP');
      await until(async () => (await routes()).includes('second'), 'the reload to apply');
      const afterSignal = (await metric(url, /^switchboard_config_generation (\d+)$/m))!;
      assert.ok(afterSignal >= 2);
      writeFileSync(path, config('third'));
      await until(async () => (await routes()).includes('third'), 'the file watcher to reload');
      const watched = (await metric(url, /^switchboard_config_generation (\d+)$/m))!;
      assert.ok(watched > afterSignal);
      writeFileSync(path, config('third').replace('pool: sim', 'pool: missing'));
      child.kill('SIGHUP');
      await until(async () => ((await metric(url, /^switchboard_config_reloads_total\{outcome="invalid"\} (\d+)$/m)) ?? 0) >= 1, 'the bad file to be refused');
      assert.equal(await metric(url, /^switchboard_config_generation (\d+)$/m), watched);
      assert.deepEqual(await routes(), ['third']);
      assert.match((await fetch(`${url}/healthz`)).status.toString(), /200/);
    } finally {
      child.kill('SIGTERM');
      assert.deepEqual(await waitForExit(child), { code: 0, signal: null });
    }
  });
});
