/**
 * Slow and stalled peers cannot hold the process: hundreds of sockets that send part of a body and
 * stop are refused or closed, the bytes their bodies hold together stay under
 * `server.maxPendingBodyBytes`, and others are served meanwhile. Every bound is a count or a byte
 * total; where a socket must be closed by the body deadline, the test waits for the close event.
 * Also: HEAD works wherever GET does, and /readyz answers 503 while draining.
 */

import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { authHeaders, startTestServer, type TestServer } from '../support/test-server.js';

interface StalledSocket {
  socket: Socket;
  /** The status line's code, once the server answered; 0 while it has not. */
  status: () => number;
  /** Everything the server sent so far. */
  answer: () => string;
  closed: Promise<void>;
}

/** Sends the headers and `sentBytes` of a body declared `declaredBytes` long, then stops sending. */
function stalledUpload(port: number, key: string, declaredBytes: number, sentBytes: number): Promise<StalledSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    const closed = new Promise<void>((resolveClosed) => socket.once('close', () => resolveClosed()));
    socket.once('error', () => undefined);
    socket.once('connect', () => {
      socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${declaredBytes}\r\n\r\n`,
      );
      socket.write(Buffer.alloc(sentBytes, 0x20), () => resolve({ socket, closed, answer: () => answer, status: () => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0) }));
    });
    socket.once('error', reject);
  });
}

describe('slow and stalled peers', () => {
  let server: TestServer;
  const budget = 256 * 1024;
  before(async () => {
    server = await startTestServer({ server: { maxPendingBodyBytes: budget, bodyTimeoutMs: 1_000 } });
  });
  after(() => server.close());

  it('answers stalled uploads with a bad key from the headers alone and closes their sockets', async () => {
    const sockets = await Promise.all(Array.from({ length: 200 }, () => stalledUpload(server.server.port, 'sb-not-a-key', 1_048_566, 4_096)));
    await Promise.all(sockets.map((entry) => entry.closed));
    assert.deepEqual(new Set(sockets.map((entry) => entry.status())), new Set([401]));
    assert.equal(server.server.pendingBodyBytes(), 0);
  });

  it('keeps the bytes of unfinished bodies under the budget, refuses the rest, closes every stalled socket and serves others', async () => {
    const declared = 64 * 1024;
    const sockets = await Promise.all(Array.from({ length: 300 }, () => stalledUpload(server.server.port, server.key, declared, 32 * 1024)));
    // Whatever the order they arrived in, the bodies being read never hold more than the budget.
    assert.ok(server.server.pendingBodyBytes() <= budget, `${server.server.pendingBodyBytes()} bytes pending`);
    // While they stall, requests without a body are served, and one whose body does not fit is told at once to come back.
    const models = await fetch(`${server.url}/v1/models`, { headers: authHeaders(server.key) });
    assert.equal(models.status, 200);
    await models.text();
    const completion = () =>
      fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: authHeaders(server.key),
        body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hello' }], max_tokens: 3 }),
      });
    const whileFull = await completion();
    if (whileFull.status !== 200) {
      assert.equal(whileFull.status, 503);
      assert.equal(whileFull.headers.get('retry-after'), '1');
    }
    await whileFull.text();
    // Every stalled socket is closed: refused at once when its body did not fit, or at the body deadline.
    await Promise.all(sockets.map((entry) => entry.closed));
    const served = await completion();
    assert.equal(served.status, 200);
    await served.text();
    const statuses = sockets.map((entry) => entry.status());
    const refused = statuses.filter((status) => status === 503).length;
    // Those not refused were read until the body deadline closed them (408); a budget's worth at a time.
    assert.ok(refused > 0, 'some bodies did not fit');
    assert.ok(statuses.every((status) => status === 503 || status === 408), JSON.stringify([...new Set(statuses)]));
    assert.ok(server.server.peakPendingBodyBytes() <= budget, `peak ${server.server.peakPendingBodyBytes()} bytes`);
    assert.ok(server.server.peakPendingBodyBytes() >= declared, 'bodies were read within the budget');
    assert.equal(server.server.pendingBodyBytes(), 0);
  });

  it('answers HEAD wherever GET answers, without a body', async () => {
    for (const path of ['/healthz', '/readyz', '/v1/models']) {
      const get = await fetch(`${server.url}${path}`, { headers: authHeaders(server.key) });
      const head = await fetch(`${server.url}${path}`, { method: 'HEAD', headers: authHeaders(server.key) });
      assert.equal(head.status, get.status, path);
      assert.equal(head.headers.get('content-type'), get.headers.get('content-type'), path);
      assert.equal(await head.text(), '', path);
      await get.text();
    }
  });
});

describe('a minimum body rate', () => {
  let server: TestServer;
  // The whole-request deadline is far away: only the rate guard can close these sockets soon.
  before(async () => {
    server = await startTestServer({ server: { bodyTimeoutMs: 600_000, bodyMinRate: { bytesPerSecond: 2_000, afterMs: 300 } } });
  });
  after(() => server.close());

  it('closes stalled and dribbling uploads with 408 body_too_slow long before the body deadline, and takes a steady upload', async () => {
    const stalled = await Promise.all(Array.from({ length: 100 }, () => stalledUpload(server.server.port, server.key, 100_000, 10)));
    // One byte at a time, a few times a second: alive, but far under 2,000 bytes/s.
    const dribbler = await stalledUpload(server.server.port, server.key, 100_000, 1);
    const drip = setInterval(() => dribbler.socket.write(' '), 50);
    await Promise.all([...stalled, dribbler].map((entry) => entry.closed));
    clearInterval(drip);
    for (const entry of [...stalled, dribbler]) {
      assert.equal(entry.status(), 408);
      assert.match(entry.answer(), /"code":"body_too_slow"/);
    }
    assert.equal(server.server.pendingBodyBytes(), 0);

    // 64 KB in 8 KB pieces with a pause between them is well over the minimum and is served.
    const body = JSON.stringify({ model: 'demo', max_tokens: 2, messages: [{ role: 'user', content: 'x'.repeat(64_000) }] });
    const pieces = async function* () {
      for (let offset = 0; offset < body.length; offset += 8_192) {
        yield new TextEncoder().encode(body.slice(offset, offset + 8_192));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const steady = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authHeaders(server.key), body: ReadableStream.from(pieces()), duplex: 'half' } as RequestInit);
    assert.equal(steady.status, 200, await steady.clone().text());
    await steady.text();
  });
});

describe('draining', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ simulator: { instances: 2, ttftMs: 1, itlMs: 5, outputTokens: 4_000, seed: 1 } });
  });
  after(() => server.close());

  it('answers /readyz 503, not connection refused, while a request is still draining', async () => {
    const leaving = new AbortController();
    const stream = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: authHeaders(server.key),
      body: JSON.stringify({ model: 'demo', stream: true, messages: [{ role: 'user', content: 'a long story' }] }),
      signal: leaving.signal,
    });
    assert.equal(stream.status, 200);
    const shutdown = server.server.shutdown(600_000);
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(ready.headers.get('connection'), 'close');
    leaving.abort();
    assert.deepEqual(await shutdown, { drained: true });
  });
});
