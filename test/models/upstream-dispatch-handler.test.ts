import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { ChatStreamPart } from '../../src/chat/chat-types.js';
import { AnthropicProvider } from '../../src/models/providers/anthropic-provider.js';
import type { ChatProvider } from '../../src/models/providers/chat-provider.js';
import { OpenAiCompatibleProvider } from '../../src/models/providers/openai-compatible-provider.js';
import { OpenAiStreamDecoder } from '../../src/models/providers/openai-stream-decoder.js';
import { StreamedParts } from '../../src/models/providers/streamed-parts.js';
import { UpstreamError, isUpstreamError } from '../../src/models/upstream-error.js';

/** A real server on port 0 whose answer the test scripts per request; it counts the connections the client closed. */
async function startServer(answer: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ url: string; server: Server; socketClosed: Promise<unknown> }> {
  let closed!: () => void;
  const socketClosed = new Promise<void>((resolve) => (closed = resolve));
  const server = createServer((request, response) => {
    request.resume();
    request.once('end', () => answer(request, response));
  });
  server.on('connection', (socket) => socket.once('close', () => closed()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, socketClosed };
}

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

const request = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };
const wholeAnswer = JSON.stringify({ model: 'm', choices: [{ message: { content: 'a whole answer' }, finish_reason: 'stop' }], usage: { prompt_tokens: 2, completion_tokens: 3 } });

function textEvent(text: string): string {
  return `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;
}
const finishEvents = 'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":2,"completion_tokens":9}}\n\ndata: [DONE]\n\n';

describe('upstream calls through undici dispatch handlers', () => {
  const wires: { name: string; provider: (url: string) => ChatProvider }[] = [
    { name: 'OpenAI-compatible', provider: (url) => new OpenAiCompatibleProvider({ baseUrl: url }) },
    { name: 'Anthropic', provider: (url) => new AnthropicProvider({ baseUrl: url }) },
  ];
  for (const wire of wires) {
    it(`${wire.name}: a whole answer whose body breaks off mid-way is an UpstreamError, not a hang`, async () => {
      const { url, server } = await startServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        response.write('{"model":"m","choi');
        setImmediate(() => response.socket?.destroy());
      });
      const provider = wire.provider(url);
      try {
        await assert.rejects(provider.call(request, AbortSignal.timeout(10_000)), (error: unknown) => isUpstreamError(error) && error.kind === 'protocol' && /broke off/.test(error.message));
      } finally {
        await provider.close();
        await stop(server);
      }
    });
  }

  it('hears the response headers before the body has ended, and gathers a body sent in several pieces', async () => {
    let finishBody!: () => void;
    const bodyMayEnd = new Promise<void>((resolve) => (finishBody = resolve));
    const { url, server } = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write(wholeAnswer.slice(0, 10));
      void bodyMayEnd.then(() => {
        response.write(wholeAnswer.slice(10, 40));
        response.end(wholeAnswer.slice(40));
      });
    });
    const provider = new OpenAiCompatibleProvider({ baseUrl: url });
    try {
      const result = provider.call(request, AbortSignal.timeout(10_000), { responseStarted: finishBody });
      const answer = await result;
      assert.equal(answer.text, 'a whole answer');
      assert.deepEqual(answer.usage, { promptTokens: 2, completionTokens: 3 });
    } finally {
      await provider.close();
      await stop(server);
    }
  });

  it('an error status keeps its body, split over several writes, and its Retry-After', async () => {
    const { url, server } = await startServer((_request, response) => {
      response.writeHead(503, { 'content-type': 'application/json', 'Retry-After': '7' });
      response.write('{"error":{"message":"over');
      response.end('loaded"}}');
    });
    const provider = new OpenAiCompatibleProvider({ baseUrl: url });
    try {
      await assert.rejects(provider.call(request, AbortSignal.timeout(10_000)), (error: unknown) => {
        assert.ok(isUpstreamError(error));
        assert.equal(error.kind, 'status');
        assert.equal(error.status, 503);
        assert.equal(error.retryAfterMs, 7_000);
        assert.equal(error.body, '{"error":{"message":"overloaded"}}');
        return true;
      });
    } finally {
      await provider.close();
      await stop(server);
    }
  });

  it('an abort mid-body rejects with the router\'s reason and ends the connection', async () => {
    let headersSent!: () => void;
    const sent = new Promise<void>((resolve) => (headersSent = resolve));
    const { url, server, socketClosed } = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"model":');
      headersSent();
    });
    const provider = new OpenAiCompatibleProvider({ baseUrl: url });
    const controller = new AbortController();
    try {
      const answer = provider.call(request, controller.signal);
      await sent;
      const reason = new UpstreamError('total-timeout', url, 'no complete answer in time');
      controller.abort(reason);
      await assert.rejects(answer, (error: unknown) => error === reason);
      await socketClosed;
    } finally {
      await provider.close();
      await stop(server);
    }
  });

  it('an abort while the call waits for a free connection rejects at once; the call holding it is not disturbed', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let requests = 0;
    const { url, server } = await startServer((_request, response) => {
      requests++;
      void released.then(() => response.writeHead(200, { 'content-type': 'application/json' }).end(wholeAnswer));
    });
    const provider = new OpenAiCompatibleProvider({ baseUrl: url, connections: 1 });
    try {
      const holding = provider.call(request, AbortSignal.timeout(10_000));
      const controller = new AbortController();
      const waiting = provider.call(request, controller.signal);
      controller.abort(new Error('the client left'));
      await assert.rejects(waiting, (error: unknown) => isUpstreamError(error) && error.kind === 'aborted');
      release();
      assert.equal((await holding).text, 'a whole answer');
      // The aborted call was never sent.
      assert.equal(requests, 1);
    } finally {
      await provider.close();
      await stop(server);
    }
  });

  it('embeddings go through the same handler: a body that is not JSON is a protocol error', async () => {
    const { url, server } = await startServer((_request, response) => response.writeHead(200).end('<html>'));
    const provider = new OpenAiCompatibleProvider({ baseUrl: url });
    try {
      await assert.rejects(provider.embed({ ...request, embeddingInput: ['a'] }, AbortSignal.timeout(10_000)), (error: unknown) => isUpstreamError(error) && error.kind === 'protocol' && /embeddings body that is not JSON/.test(error.message));
    } finally {
      await provider.close();
      await stop(server);
    }
  });

  it('a stream cut mid-body gives the parts read before it, then a broken stream', async () => {
    const { url, server } = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(textEvent('one '));
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const provider = new OpenAiCompatibleProvider({ baseUrl: url });
    try {
      const parts = await provider.stream(request, AbortSignal.timeout(10_000));
      const seen: ChatStreamPart[] = [];
      await assert.rejects(
        (async () => {
          for await (const part of parts) seen.push(part);
        })(),
        (error: unknown) => isUpstreamError(error) && error.kind === 'stream-broken',
      );
      assert.deepEqual(seen, [{ type: 'text-delta', text: 'one ' }]);
    } finally {
      await provider.close();
      await stop(server);
    }
  });

  it('a stream aborted mid-way rejects the waiting consumer with the reason and ends the connection', async () => {
    const { url, server, socketClosed } = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(textEvent('first'));
    });
    const provider = new OpenAiCompatibleProvider({ baseUrl: url });
    const controller = new AbortController();
    try {
      const parts = (await provider.stream(request, controller.signal))[Symbol.asyncIterator]();
      assert.deepEqual((await parts.next()).value, { type: 'text-delta', text: 'first' });
      const waiting = parts.next();
      const reason = new UpstreamError('total-timeout', url, 'no complete answer in time');
      controller.abort(reason);
      await assert.rejects(waiting, (error: unknown) => error === reason);
      await socketClosed;
    } finally {
      await provider.close();
      await stop(server);
    }
  });

  it('pauses the upstream body while the consumer is behind, and loses nothing once it reads again', async () => {
    const piece = 'x'.repeat(200);
    const total = 40_000; // 8 MB of text: far past what the handler queues and the sockets hold.
    let stuck!: () => void;
    const serverStuck = new Promise<void>((resolve) => (stuck = resolve));
    let finished = false;
    const { url, server } = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.once('finish', () => (finished = true));
      let sent = 0;
      const writeMore = (): void => {
        while (sent < total) {
          sent++;
          if (!response.write(textEvent(piece))) {
            stuck();
            response.once('drain', writeMore);
            return;
          }
        }
        response.end(finishEvents);
      };
      writeMore();
    });
    const provider = new OpenAiCompatibleProvider({ baseUrl: url });
    try {
      const parts = (await provider.stream(request, AbortSignal.timeout(60_000)))[Symbol.asyncIterator]();
      const first = await parts.next();
      assert.equal(first.done, false);
      await serverStuck;
      // Not reading: had the handler kept taking the body into memory, the server would finish its 8 MB meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(finished, false, 'the server could write the whole body while the consumer read nothing');
      let text = first.value.type === 'text-delta' ? first.value.text : '';
      let finish: ChatStreamPart | undefined;
      for (let step = await parts.next(); !step.done; step = await parts.next()) {
        if (step.value.type === 'text-delta') text += step.value.text;
        else finish = step.value;
      }
      assert.equal(text.length, piece.length * total);
      assert.deepEqual(finish, { type: 'finish', finishReason: 'stop', usage: { promptTokens: 2, completionTokens: 9 } });
      assert.equal(finished, true);
    } finally {
      await provider.close();
      await stop(server);
    }
  });

  it('text that arrived in several reads before the consumer asked is handed on as one part; past its budget the body pauses', async () => {
    const parts = new StreamedParts('http://upstream', new AbortController().signal, new OpenAiStreamDecoder('http://upstream', request.messages));
    let resumed = 0;
    parts.listen();
    parts.onConnect(() => undefined);
    assert.equal(parts.onHeaders(200, [], () => resumed++), true);
    assert.equal(parts.onData(Buffer.from(textEvent('a'))), true);
    assert.equal(parts.onData(Buffer.from(textEvent('b'))), true);
    const iterator = (await parts.started)[Symbol.asyncIterator]();
    assert.deepEqual((await iterator.next()).value, { type: 'text-delta', text: 'ab' });
    // 70,000 characters unread: over the budget, so undici is told to pause; reading the part resumes it.
    assert.equal(parts.onData(Buffer.from(textEvent('y'.repeat(70_000)))), false);
    assert.equal(resumed, 0);
    assert.equal(((await iterator.next()).value as { text: string }).text.length, 70_000);
    assert.equal(resumed, 1);
    assert.equal(parts.onData(Buffer.from(textEvent('c') + finishEvents)), true);
    parts.onComplete();
    assert.deepEqual((await iterator.next()).value, { type: 'text-delta', text: 'c' });
    assert.deepEqual((await iterator.next()).value, { type: 'finish', finishReason: 'stop', usage: { promptTokens: 2, completionTokens: 9 } });
    assert.equal((await iterator.next()).done, true);
  });

  it('pushes parts to a receiver as they are read; a receiver that is behind holds the rest, and the upstream pauses past the budget', async () => {
    const parts = new StreamedParts('http://upstream', new AbortController().signal, new OpenAiStreamDecoder('http://upstream', request.messages));
    let resumed = 0;
    parts.listen();
    parts.onConnect(() => undefined);
    parts.onHeaders(200, [], () => resumed++);
    await parts.started;
    const received: ChatStreamPart[] = [];
    const ends: unknown[] = [];
    let behind = true;
    const control = parts.pushTo({
      part: (part) => {
        received.push(part);
        return !behind;
      },
      end: (error) => ends.push(error),
    });
    // One read, one part: the text of the events in it joined.
    assert.equal(parts.onData(Buffer.from(textEvent('a') + textEvent('b'))), true);
    assert.deepEqual(received, [{ type: 'text-delta', text: 'ab' }]);
    // The receiver said it is behind: nothing more reaches it, and past 64 Ki characters undici is told to pause.
    assert.equal(parts.onData(Buffer.from(textEvent('c'))), true);
    assert.equal(parts.onData(Buffer.from(textEvent('z'.repeat(70_000)))), false);
    assert.equal(received.length, 1);
    behind = false;
    control.resume();
    assert.equal(resumed, 1);
    assert.equal(received.map((part) => (part.type === 'text-delta' ? part.text : '')).join('').length, 3 + 70_000);
    assert.equal(parts.onData(Buffer.from(finishEvents)), true);
    parts.onComplete();
    assert.deepEqual(received.at(-1), { type: 'finish', finishReason: 'stop', usage: { promptTokens: 2, completionTokens: 9 } });
    assert.deepEqual(ends, [undefined]);
  });

  it('a pushed stream that breaks gives the receiver the parts read before it, then the error, once', async () => {
    const parts = new StreamedParts('http://upstream', new AbortController().signal, new OpenAiStreamDecoder('http://upstream', request.messages));
    let aborted: Error | undefined;
    parts.listen();
    parts.onConnect((error) => (aborted = error));
    parts.onHeaders(200, [], () => undefined);
    await parts.started;
    const received: ChatStreamPart[] = [];
    const ends: unknown[] = [];
    parts.pushTo({ part: (part) => received.push(part) > 0, end: (error) => ends.push(error) });
    parts.onData(Buffer.from(textEvent('before') + 'data: {"error":{"message":"overloaded"}}\n\n'));
    assert.deepEqual(received, [{ type: 'text-delta', text: 'before' }]);
    assert.equal(ends.length, 1);
    assert.ok(isUpstreamError(ends[0]) && ends[0].kind === 'stream-broken' && /overloaded/.test(ends[0].message));
    // The broken stream's request is ended, so its socket is not reused.
    assert.ok(aborted);
    parts.onError(new Error('socket closed'));
    assert.equal(ends.length, 1);
  });
});
