import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { pino } from 'pino';
import { parseConfig } from '../../src/config/load-config.js';
import { createRuntime, type Runtime } from '../../src/app/runtime.js';
import { startHttpServer, type SwitchboardServer } from '../../src/server/http-server.js';

/** An OpenAI-compatible upstream that streams big chunks as fast as its client takes them, up to `limitBytes`. */
class FloodUpstream {
  server: Server = createServer((request, response) => void this.#serve(request.resume(), response));
  writtenBytes = 0;
  requests = 0;
  /** Streams whose client (Switchboard) went away before the flood was over. */
  abandoned = 0;

  constructor(private readonly limitBytes: number) {}

  async #serve(_request: unknown, response: ServerResponse): Promise<void> {
    this.requests++;
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'z'.repeat(4_000) }, finish_reason: null }] })}\n\n`;
    let closed = false;
    response.once('close', () => {
      closed = true;
      if (!response.writableFinished) this.abandoned++;
    });
    while (!closed && this.writtenBytes < this.limitBytes) {
      this.writtenBytes += chunk.length;
      if (!response.write(chunk)) await new Promise((resolve) => { response.once('drain', resolve); response.once('close', resolve); });
    }
    if (!closed) response.end('data: [DONE]\n\n');
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

describe('a streaming client that stops reading', () => {
  const stallTimeoutMs = 1_500;
  const flood = new FloodUpstream(256 * 1024 * 1024);
  let runtime: Runtime;
  let switchboard: SwitchboardServer;
  let key: string;

  before(async () => {
    await new Promise<void>((resolve) => flood.server.listen(0, '127.0.0.1', resolve));
    const config = parseConfig({
      store: { kind: 'memory' },
      logging: { level: 'silent' },
      pools: { flood: { model: 'flood', instances: [{ url: flood.url }], retry: { attempts: 1 } } },
      routes: { flood: { pool: 'flood' } },
      agents: { only: { route: 'flood' } },
      intent: { defaultAgent: 'only' },
    });
    runtime = await createRuntime(config, { logger: pino({ level: 'silent' }), defaultMetrics: false });
    switchboard = await startHttpServer(runtime, { port: 0, host: '127.0.0.1', streamLimits: { stallTimeoutMs, maxBufferedBytes: 64 * 1024 } });
    ({ key } = await runtime.store.keys.create({ tenant: 'slow', role: 'admin' }));
  });

  after(async () => {
    await switchboard.shutdown(1_000);
    await runtime.close();
    flood.server.closeAllConnections();
    await new Promise((resolve) => flood.server.close(resolve));
  });

  it('holds the upstream back instead of buffering it, then gives the request up', async () => {
    const body = JSON.stringify({ model: 'flood', stream: true, messages: [{ role: 'user', content: 'flood me' }] });
    const heapBefore = process.memoryUsage();
    const socket: Socket = connect((switchboard.server.address() as AddressInfo).port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    // Never read: the kernel's buffers fill, then Switchboard's socket reports it is full.
    socket.pause();
    try {
      // Wait for the upstream call to start, then until the upstream can write no more: it is held
      // back by the stalled client, through Switchboard.
      for (let attempt = 0; attempt < 100 && flood.writtenBytes === 0; attempt++) await delay(50);
      let previous = -1;
      for (let attempt = 0; attempt < 100 && flood.writtenBytes !== previous; attempt++) {
        previous = flood.writtenBytes;
        await delay(100);
      }
      assert.equal(flood.requests, 1);
      const plateau = flood.writtenBytes;
      assert.ok(plateau > 1024 * 1024, `the upstream wrote only ${plateau} bytes: the stream never started`);
      // Kernel socket buffers on two loopback hops hold some tens of MB; an unbounded relay would take all 256 MB.
      assert.ok(plateau < 96 * 1024 * 1024, `the upstream wrote ${(plateau / 2 ** 20).toFixed(0)} MB to a client that reads nothing`);
      const heapAfter = process.memoryUsage();
      const grownMb = (heapAfter.arrayBuffers + heapAfter.heapUsed - heapBefore.arrayBuffers - heapBefore.heapUsed) / 2 ** 20;
      assert.ok(grownMb < 64, `the process grew by ${grownMb.toFixed(0)} MB while the client was stalled`);

      // After the stall timeout the request is given up: the upstream call is cancelled and nothing is in flight.
      const deadline = Date.now() + stallTimeoutMs + 10_000;
      while ((flood.abandoned === 0 || switchboard.inFlight() > 0) && Date.now() < deadline) await delay(50);
      assert.equal(flood.abandoned, 1, 'the upstream stream was never cancelled');
      assert.equal(switchboard.inFlight(), 0, 'the stalled request is still being served');
      assert.ok(flood.writtenBytes - plateau < 8 * 1024 * 1024, 'the upstream kept streaming after the plateau');
    } finally {
      socket.destroy();
    }
  });
});
