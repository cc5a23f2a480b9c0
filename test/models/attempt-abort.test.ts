import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ChatCallRequest, ChatStreamPart } from '../../src/chat/chat-types.js';
import { ModelRouter } from '../../src/models/model-router.js';
import { poolConfig, routerConfig } from './instance-fixtures.js';

/**
 * An attempt aborts its own upstream call (the dispatch handler) without an AbortSignal of its own:
 * a deadline ends that attempt's request only, the request goes on to the next; the caller leaving
 * ends the attempt in flight at once. Checked on real HTTP upstreams, by what they see of the socket.
 */

interface Upstream {
  url: string;
  /** Requests received so far. */
  requests: number;
  /** Resolves when the nth request (from 1) has arrived. */
  arrived(nth: number): Promise<void>;
  /** Resolves when the nth request's connection closed before an answer was sent. */
  closedUnanswered(nth: number): Promise<void>;
}

const servers: Server[] = [];
after(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

function deferreds(): { get(nth: number): { promise: Promise<void>; resolve: () => void } } {
  const all = new Map<number, { promise: Promise<void>; resolve: () => void }>();
  return {
    get(nth) {
      let entry = all.get(nth);
      if (!entry) {
        let resolve!: () => void;
        const promise = new Promise<void>((done) => (resolve = done));
        entry = { promise, resolve };
        all.set(nth, entry);
      }
      return entry;
    },
  };
}

/** An upstream that never answers (`stall`), answers at once (whole or as an SSE stream), or sends its start (headers, a first token) and then stalls (`start-then-stall`). */
async function upstream(behaviour: 'stall' | 'answer' | 'start-then-stall'): Promise<Upstream> {
  const arrived = deferreds();
  const closed = deferreds();
  const state = { requests: 0 };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const nth = ++state.requests;
    // Heard from the start: a connection closed while the body is still arriving is closed unanswered too.
    response.once('close', () => {
      if (!response.writableEnded) closed.get(nth).resolve();
    });
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      arrived.get(nth).resolve();
      if (behaviour === 'stall') return;
      const streamed = (JSON.parse(body) as { stream?: boolean }).stream === true;
      if (behaviour === 'start-then-stall') {
        response.writeHead(200, { 'content-type': streamed ? 'text/event-stream' : 'application/json' });
        response.write(streamed ? `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'hello' } }] })}\n\n` : '{"choices":');
        return;
      }
      if (streamed) {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'hello' } }] })}\n\n`);
        response.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
        response.end('data: [DONE]\n\n');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    arrived: (nth) => arrived.get(nth).promise,
    closedUnanswered: (nth) => closed.get(nth).promise,
  };
}

const request = (): ChatCallRequest => ({ model: '', messages: [{ role: 'user', content: 'hello' }] });

async function text(parts: AsyncIterable<ChatStreamPart>): Promise<string> {
  let out = '';
  for await (const part of parts) if (part.type === 'text-delta') out += part.text;
  return out;
}

/** A router whose first pool stalls behind a short deadline and falls back to one that answers. */
async function stalledThenHealthy() {
  const stalled = await upstream('stall');
  const healthy = await upstream('answer');
  const router = new ModelRouter(
    routerConfig(
      {
        stalled: poolConfig({ instances: [{ url: stalled.url }], retry: { attempts: 1 }, timeouts: { firstTokenMs: 150, headersMs: 150, totalMs: 60_000 } }),
        healthy: poolConfig({ instances: [{ url: healthy.url }] }),
      },
      { r: { pool: 'stalled', fallbacks: ['healthy'] } },
    ),
    (url) => url,
  );
  return { stalled, healthy, router };
}

/** A router over one stalling instance with no deadline that could fire during the test. */
async function stalledOnly() {
  const stalled = await upstream('stall');
  const router = new ModelRouter(
    routerConfig({ stalled: poolConfig({ instances: [{ url: stalled.url }], retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 }, timeouts: { firstTokenMs: 60_000, totalMs: 120_000 } }) }, { r: { pool: 'stalled' } }),
    (url) => url,
  );
  return { stalled, router };
}

describe('an upstream attempt aborts its own call', () => {
  // The deadlines below are 150 ms from the attempt's start. A fresh process's first call loads and compiles the
  // HTTP client on the way, which on a loaded machine took longer than that: the stalled upstream then never saw its
  // request and the test waited forever for it to close. One whole and one streamed call first take that cost.
  before(async () => {
    const warm = await upstream('answer');
    const router = new ModelRouter(routerConfig({ warm: poolConfig({ instances: [{ url: warm.url }] }) }, { r: { pool: 'warm' } }), (url) => url);
    assert.equal((await router.call('r', request(), new AbortController().signal)).result.text, 'hello');
    assert.equal(await text(router.stream('r', request(), new AbortController().signal).parts), 'hello');
    await router.close();
  });

  it('a header deadline ends only its attempt: the stalled upstream sees its request closed, the fallback answers, the request lives on', async () => {
    const { stalled, healthy, router } = await stalledThenHealthy();
    const caller = new AbortController();
    const { result, decision } = await router.call('r', request(), caller.signal);
    assert.equal(result.text, 'hello');
    assert.equal(decision.pool, 'healthy');
    await stalled.closedUnanswered(1);
    assert.equal(caller.signal.aborted, false);
    assert.equal(stalled.requests, 1);
    assert.equal(healthy.requests, 1);
    await router.close();
  });

  it('a first-token deadline ends only its streamed attempt, and the stream comes from the fallback', async () => {
    const { stalled, healthy, router } = await stalledThenHealthy();
    const caller = new AbortController();
    const { parts, decision } = router.stream('r', request(), caller.signal);
    assert.equal(await text(parts), 'hello');
    assert.equal(decision.pool, 'healthy');
    await stalled.closedUnanswered(1);
    assert.equal(caller.signal.aborted, false);
    assert.equal(healthy.requests, 1);
    await router.close();
  });

  it('the caller leaving aborts the whole answer in flight at once, with its reason, and tries no other attempt', async () => {
    const { stalled, router } = await stalledOnly();
    const caller = new AbortController();
    const call = router.call('r', request(), caller.signal).then(
      () => assert.fail('the call should not succeed'),
      (error: unknown) => error,
    );
    await stalled.arrived(1);
    caller.abort(new Error('the client left'));
    await stalled.closedUnanswered(1);
    assert.match(String(await call), /the client left/);
    assert.equal(stalled.requests, 1);
    await router.close();
  });

  it('the caller leaving aborts a stream waiting for its first token', async () => {
    const { stalled, router } = await stalledOnly();
    const caller = new AbortController();
    const { parts } = router.stream('r', request(), caller.signal);
    const read = text(parts).then(
      () => assert.fail('the stream should not finish'),
      (error: unknown) => error,
    );
    await stalled.arrived(1);
    caller.abort(new Error('the client left'));
    await stalled.closedUnanswered(1);
    assert.match(String(await read), /the client left/);
    assert.equal(stalled.requests, 1);
    await router.close();
  });

  it('a caller that left before the call aborts it before it is sent', async () => {
    const { stalled, router } = await stalledOnly();
    const caller = new AbortController();
    caller.abort(new Error('gone already'));
    await assert.rejects(router.call('r', request(), caller.signal), /gone already/);
    assert.equal(stalled.requests, 0);
    await router.close();
  });

  it('a whole answer whose headers came in time is still bounded by totalMs', async () => {
    const slow = await upstream('start-then-stall');
    const router = new ModelRouter(routerConfig({ slow: poolConfig({ instances: [{ url: slow.url }], retry: { attempts: 1 }, timeouts: { firstTokenMs: 100, headersMs: 100, totalMs: 400 } }) }, { r: { pool: 'slow' } }), (url) => url);
    const caller = new AbortController();
    const failure = await router.call('r', request(), caller.signal).then(
      () => assert.fail('the call should not succeed'),
      (error: unknown) => error,
    );
    await slow.closedUnanswered(1);
    assert.match(String((failure as Error).message) + String((failure as Error).cause ?? ''), /within 400 ms/);
    assert.equal(caller.signal.aborted, false);
    await router.close();
  });

  it('a stream whose first token came in time is still bounded by totalMs', async () => {
    const slow = await upstream('start-then-stall');
    const router = new ModelRouter(routerConfig({ slow: poolConfig({ instances: [{ url: slow.url }], retry: { attempts: 1 }, timeouts: { firstTokenMs: 100, totalMs: 400 } }) }, { r: { pool: 'slow' } }), (url) => url);
    const caller = new AbortController();
    const { parts } = router.stream('r', request(), caller.signal);
    const received: string[] = [];
    const failure = await (async () => {
      for await (const part of parts) if (part.type === 'text-delta') received.push(part.text);
    })().then(
      () => assert.fail('the stream should not finish'),
      (error: unknown) => error,
    );
    assert.deepEqual(received, ['hello']);
    await slow.closedUnanswered(1);
    assert.match(String((failure as Error).message) + String((failure as Error).cause ?? ''), /within 400 ms/);
    assert.equal(caller.signal.aborted, false);
    await router.close();
  });
});
