import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readSse } from '../support/test-server.js';
import { runCli, startCli, waitForExit } from '../support/cli.js';

describe('switchboard serve', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-serve-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts the zero-config demo, prints an admin key once, and holds a conversation', async () => {
    const { child, match } = await startCli(['serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], /listening on (http:\/\/\S+) .*ready in (\d+) ms[\s\S]*\n  (sb-\S+)\n/);
    try {
      // The start-up time is printed (and measured in bench/cold-start-bench.ts); a timed assertion here would measure the machine.
      const [, url, readyMs, key] = match;
      assert.ok(Number(readyMs) > 0, `ready in ${readyMs} ms`);
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const session = (await (await fetch(`${url}/v1/sessions`, { method: 'POST', headers })).json()) as { id: string };
      const turn = await fetch(`${url}/v1/sessions/${session.id}/messages`, { method: 'POST', headers, body: '{"content":"where is my order 777?"}' });
      assert.equal(turn.status, 200);
      assert.equal(((await turn.json()) as { agent: string }).agent, 'order-support');
    } finally {
      child.kill('SIGTERM');
      assert.deepEqual(await waitForExit(child), { code: 0, signal: null });
    }
    // A second start on the same store has keys already and prints none.
    const again = await startCli(['serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], /ready in \d+ ms\)\n/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    again.child.kill('SIGTERM');
    await waitForExit(again.child);
    assert.doesNotMatch(again.output(), /sb-/);
  });

  it('drains on SIGTERM: readyz turns 503, the running stream completes, the process exits 0', async () => {
    const configPath = join(dataDir, 'slow.yaml');
    writeFileSync(
      configPath,
      `simulator: { instances: 1, ttftMs: 100, itlMs: 40, outputTokens: 30 }
pools:
  sim: { model: sim, instances: [{ url: "simulator://0" }] }
routes:
  demo: { pool: sim }
agents:
  helper: { route: demo }
intent: { defaultAgent: helper }
server: { drainTimeoutMs: 10000 }
logging: { level: warn }
`,
    );
    const key = runCli(['keys', 'create', '--tenant', 'drain', '--config', configPath, '--data-dir', dataDir]).stdout.trim();
    assert.match(key, /^sb-/);
    const { child, match } = await startCli(['serve', '--config', configPath, '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], /listening on (http:\/\/\S+)/);
    const url = match[1]!;
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const session = (await (await fetch(`${url}/v1/sessions`, { method: 'POST', headers })).json()) as { id: string };
    const streaming = fetch(`${url}/v1/sessions/${session.id}/messages`, { method: 'POST', headers, body: '{"content":"tell me a long story","stream":true}' });
    const response = await streaming;
    assert.equal(response.status, 200);
    const eventsPromise = readSse(response);
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGTERM');
    // The signal arrives when it arrives: readiness is watched until it drops, never timed. It must
    // drop while the stream is still open (connection refused or 503), then the stream completes.
    let ready: Response | Error = await fetch(`${url}/readyz`).catch((error: Error) => error);
    for (let polls = 0; !(ready instanceof Error) && ready.status === 200 && polls < 2_000; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      ready = await fetch(`${url}/readyz`).catch((error: Error) => error);
    }
    if (!(ready instanceof Error)) assert.equal(ready.status, 503);
    const events = await eventsPromise;
    assert.equal(events.at(-1)!.event, 'done', JSON.stringify(events.at(-1)));
    assert.ok(events.filter((event) => event.event === 'delta').length >= 30);
    assert.deepEqual(await waitForExit(child), { code: 0, signal: null });
  });

  it('runs one process per worker with --workers, sharing the port and the store', async () => {
    const clusterDir = mkdtempSync(join(tmpdir(), 'switchboard-cluster-'));
    try {
      const { child, match, output } = await startCli(
        ['serve', '--workers', '2', '--port', '0', '--host', '127.0.0.1', '--data-dir', clusterDir],
        /\n  (sb-\S+)\n[\s\S]*listening on (http:\/\/\S+) .*worker (\d+)[\s\S]*listening on .*worker (\d+)/,
        { timeoutMs: 20_000 },
      );
      const [, key, url, firstPid, secondPid] = match;
      assert.notEqual(firstPid, secondPid);
      assert.equal(output().match(/sb-[A-Za-z0-9_-]{32}/g)!.filter((found, index, all) => all.indexOf(found) === index).length, 1, 'one admin key, made once by the primary');
      const statuses = await Promise.all(Array.from({ length: 8 }, () => fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${key}` } }).then((response) => response.status)));
      assert.deepEqual(statuses, Array(8).fill(200));
      child.kill('SIGTERM');
      assert.deepEqual(await waitForExit(child), { code: 0, signal: null });
    } finally {
      rmSync(clusterDir, { recursive: true, force: true });
    }
  });
});
