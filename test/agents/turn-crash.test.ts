import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openStore } from '../../src/stores/open-store.js';
import { runCli, startCli, waitForExit } from '../support/cli.js';

describe('a process killed in the middle of the tool loop', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-crash-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('leaves the session exactly as it was, and the next turn on it works', async () => {
    // The order backend holds the first call forever (the process dies meanwhile) and answers the later ones.
    const held: ServerResponse[] = [];
    let toolCalled!: () => void;
    const firstCall = new Promise<void>((resolve) => (toolCalled = resolve));
    const backend = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        if (held.length === 0) {
          held.push(response);
          toolCalled();
        } else {
          response.end('{"status":"delivered"}');
        }
      });
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    const backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}/orders`;
    const configPath = join(dataDir, 'switchboard.yaml');
    writeFileSync(
      configPath,
      `simulator: { instances: 1, ttftMs: 5, itlMs: 1, outputTokens: 5 }
pools:
  sim: { model: sim, instances: [{ url: "simulator://0" }] }
routes:
  demo: { pool: sim }
agents:
  orders:
    route: demo
    tools:
      - kind: http
        name: lookup_order
        description: Look up an order by its number.
        parameters: { type: object, properties: { order_id: { type: string, pattern: "^[0-9]{3,12}$" } }, required: [order_id] }
        url: ${backendUrl}
        timeoutMs: 60000
    limits: { toolTimeoutMs: 60000, turnDeadlineMs: 60000 }
intent: { defaultAgent: orders }
sessions: { leaseMs: 1000 }
logging: { level: warn }
`,
    );
    try {
      const key = runCli(['keys', 'create', '--tenant', 'crash', '--config', configPath, '--data-dir', dataDir]).stdout.trim();
      assert.match(key, /^sb-/);
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const serve = () => startCli(['serve', '--config', configPath, '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], /listening on (http:\/\/\S+)/);

      const first = await serve();
      const url = first.match[1]!;
      const session = (await (await fetch(`${url}/v1/sessions`, { method: 'POST', headers })).json()) as { id: string };
      const turn = fetch(`${url}/v1/sessions/${session.id}/messages`, { method: 'POST', headers, body: '{"content":"where is my order 2024?"}' }).catch((error: Error) => error);
      // The model asked for the tool and the process is waiting for it: the user message and the call exist only in memory.
      await firstCall;
      first.child.kill('SIGKILL');
      assert.deepEqual(await waitForExit(first.child), { code: null, signal: 'SIGKILL' });
      assert.ok((await turn) instanceof Error);

      const store = await openStore({ kind: 'sqlite', path: join(dataDir, 'switchboard.db') });
      try {
        const stored = await store.sessions.get('crash', session.id);
        assert.equal(stored!.version, 0);
        assert.deepEqual(stored!.messages, []);
      } finally {
        await store.close();
      }

      const second = await serve();
      try {
        // The killed process still holds the session's lease until it expires (1 s here): until then a
        // new turn is refused with 409 before any model call, and then it goes through.
        const nextTurn = () => fetch(`${second.match[1]!}/v1/sessions/${session.id}/messages`, { method: 'POST', headers, body: '{"content":"where is my order 2024?"}' });
        let response = await nextTurn();
        for (let tries = 0; response.status === 409 && tries < 100; tries++) {
          await response.body?.cancel();
          await new Promise((resolve) => setTimeout(resolve, 100));
          response = await nextTurn();
        }
        assert.equal(response.status, 200, await response.clone().text());
        const reply = (await response.json()) as { version: number; tool_calls: { ok: boolean }[] };
        assert.equal(reply.version, 1);
        assert.equal(reply.tool_calls[0]!.ok, true);
      } finally {
        second.child.kill('SIGTERM');
        await waitForExit(second.child);
      }
    } finally {
      backend.closeAllConnections();
      await new Promise<void>((resolve) => backend.close(() => resolve()));
    }
  });
});
