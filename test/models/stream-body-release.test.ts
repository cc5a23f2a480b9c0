import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { ChatStreamPart } from '../../src/chat/chat-types.js';
import { AnthropicProvider } from '../../src/models/providers/anthropic-provider.js';
import type { ChatProvider } from '../../src/models/providers/chat-provider.js';
import { OpenAiCompatibleProvider } from '../../src/models/providers/openai-compatible-provider.js';

interface CountingServer {
  url: string;
  server: Server;
  /** Connections closed so far (before the test closes them itself: the client's doing). */
  closedByClient: () => number;
  /** Resolves once every response so far has closed (finished, or lost with its socket). */
  responsesClosed: () => Promise<unknown>;
}

/** A real server on port 0 that sees which connections the client closes, answering each request with `answer`. */
async function startCountingServer(answer: (response: ServerResponse) => void): Promise<CountingServer> {
  let closedByClient = 0;
  const responses: Promise<unknown>[] = [];
  const server = createServer((request, response) => {
    responses.push(once(response, 'close'));
    request.resume();
    request.once('end', () => answer(response));
  });
  server.on('connection', (socket) => socket.once('close', () => closedByClient++));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    closedByClient: () => closedByClient,
    responsesClosed: () => Promise.all(responses),
  };
}

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function drain(parts: AsyncIterable<ChatStreamPart>): Promise<ChatStreamPart[]> {
  const seen: ChatStreamPart[] = [];
  for await (const part of parts) seen.push(part);
  return seen;
}

const openAiEvents = [
  '{"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}',
  '{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1}}',
  '[DONE]',
].map((data) => `data: ${data}\n\n`);

const anthropicEvents = [
  ['message_start', '{"type":"message_start","message":{"usage":{"input_tokens":3,"output_tokens":1}}}'],
  ['content_block_delta', '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}'],
  ['message_delta', '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":1}}'],
  ['message_stop', '{"type":"message_stop"}'],
].map(([event, data]) => `event: ${event}\ndata: ${data}\n\n`);

const wires: { name: string; events: string[]; provider: (url: string) => ChatProvider }[] = [
  { name: 'OpenAI-compatible', events: openAiEvents, provider: (url) => new OpenAiCompatibleProvider({ baseUrl: url }) },
  { name: 'Anthropic', events: anthropicEvents, provider: (url) => new AnthropicProvider({ baseUrl: url }) },
];

describe('streamed bodies and their upstream connections', () => {
  for (const wire of wires) {
    it(`${wire.name}: keeps the connection for the next call when the body ends a little after the stream said it was done`, async () => {
      const upstream = await startCountingServer((response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const event of wire.events) response.write(event);
        // The chunked terminator comes later than the last event, as it may from a busy server.
        setTimeout(() => response.end(), 30);
      });
      const provider = wire.provider(upstream.url);
      try {
        for (let call = 0; call < 3; call++) {
          const parts = await drain(await provider.stream({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, AbortSignal.timeout(5_000)));
          assert.equal(parts.at(-1)?.type, 'finish');
        }
        // A response closes when it finished or when its socket went: by then a socket the client dropped has closed too.
        await upstream.responsesClosed();
        assert.equal(upstream.closedByClient(), 0, 'the client kept every connection for the pool');
      } finally {
        await provider.close();
        await stop(upstream.server);
      }
    });

    it(`${wire.name}: a consumer that stops early ends the upstream response, without an unheard error`, async () => {
      let closed: Promise<unknown> | undefined;
      const upstream = await startCountingServer((response) => {
        closed = once(response, 'close');
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        // The first text event only; the response stays open until the client leaves.
        response.write(wire.events.find((event) => event.includes('Hi'))!);
      });
      const provider = wire.provider(upstream.url);
      try {
        const parts = await provider.stream({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, AbortSignal.timeout(5_000));
        for await (const part of parts) {
          assert.equal(part.type, 'text-delta');
          break;
        }
        await closed;
      } finally {
        await provider.close();
        await stop(upstream.server);
      }
    });
  }
});
