import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { isAscii } from '../../src/server/ascii.js';
import { NodeHttpExchange } from '../../src/server/node-http-exchange.js';
import { OpenAiChatStream } from '../../src/server/openai-chat-stream.js';
import { TurnEventStream } from '../../src/server/turn-event-stream.js';
import { StageTimer } from '../../src/pipeline/stage-timer.js';

const decision = { pool: 'p', instance: 'i', rule: 'r' } as never;

/** Serves one streamed response written by `write` over a real socket and returns the body as the client read it. */
async function streamed(write: (exchange: NodeHttpExchange) => Promise<void>): Promise<string> {
  const server: Server = createServer((incoming, outgoing) => {
    void write(new NodeHttpExchange(incoming, outgoing));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => request({ port, host: '127.0.0.1', path: '/' }, resolve).on('error', reject).end());
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    server.close();
  }
}

describe('streamed frames written as latin1 when they are ASCII', () => {
  it('knows ASCII from anything else', () => {
    assert.equal(isAscii('plain text, "quoted"\n\t\u007f'), true);
    assert.equal(isAscii('é'), false);
    assert.equal(isAscii('\u0080'), false);
    assert.equal(isAscii('😀'), false);
    assert.equal(isAscii(''), true);
  });

  it('sends the same bytes for ASCII and non-ASCII deltas and model names, chat and turns alike', async () => {
    const texts = ['plain', ' é', '😀 and', '\u0000\u001f"\\', '\ud800', 'naïve'];
    for (const model of ['ascii-model', 'modèle']) {
      const body = await streamed(async (exchange) => {
        const stream = new OpenAiChatStream(exchange, { id: 'chatcmpl-1', created: 1, model, includeUsage: false, timer: new StageTimer(() => undefined), logger: { warn: () => undefined } });
        await stream.open(decision);
        for (const text of texts) await stream.delta(text);
        await stream.done();
        stream.close();
      });
      const deltas = body
        .split('\n\n')
        .filter((frame) => frame.startsWith('data: {') && frame.includes('"content"'))
        .map((frame) => JSON.parse(frame.slice(6)) as { model: string; choices: { delta: { content: string } }[] });
      assert.deepEqual(deltas.map((chunk) => chunk.choices[0]!.delta.content), ['', ...texts]);
      for (const chunk of deltas) assert.equal(chunk.model, model);
    }
    const turn = await streamed(async (exchange) => {
      const events = new TurnEventStream(exchange, new StageTimer(() => undefined));
      for (const text of texts) await events.delta(text);
      events.end();
    });
    const turnTexts = turn
      .split('\n\n')
      .filter((frame) => frame.startsWith('event: delta\n'))
      .map((frame) => (JSON.parse(frame.slice('event: delta\ndata: '.length)) as { text: string }).text);
    assert.deepEqual(turnTexts, texts);
  });
});
