import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describe, it } from 'node:test';
import { UpstreamHttpClient } from '../../src/models/providers/upstream-http-client.js';
import { isUpstreamError } from '../../src/models/upstream-error.js';

interface HeldRequest {
  body: string;
  response: ServerResponse;
  socket: Socket;
}

/** A real server on port 0 that counts the connections it accepts and hands each whole request to `onRequest`. */
async function startServer(onRequest: (held: HeldRequest) => void): Promise<{ url: string; server: Server; connections: () => number; open: Set<Socket> }> {
  let connections = 0;
  const open = new Set<Socket>();
  const server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => onRequest({ body, response, socket: request.socket }));
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, connections: () => connections, open };
}

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function answer(held: HeldRequest): void {
  held.response.setHeader('content-type', 'application/json');
  held.response.end(JSON.stringify({ echo: held.body }));
}

async function echoOf(client: UpstreamHttpClient, body: string): Promise<string> {
  const answer = (await client.postForJson(body, undefined, new AbortController().signal, undefined, undefined, 'an echo')) as { echo: string };
  return answer.echo;
}

describe('upstream connections: one per request in flight, up to the limit, reused', () => {
  it('requests beyond the limit wait in arrival order and all complete over the limit’s connections', async () => {
    const limit = 3;
    const total = 12;
    const held: HeldRequest[] = [];
    const arrived: string[] = [];
    // The server answers one held request only once every connection is busy (or nothing more can come), so each
    // freed connection must take the oldest waiting request: the arrival order after the first `limit` is fixed.
    const { url, server, connections } = await startServer((request) => {
      if (arrived.length >= total) return answer(request);
      arrived.push(request.body);
      held.push(request);
      if (held.length === limit || arrived.length === total) answer(held.shift()!);
      if (arrived.length === total) while (held.length > 0) answer(held.shift()!);
    });
    const client = new UpstreamHttpClient({ baseUrl: url, path: '/v1/echo', headers: {}, connections: limit });
    try {
      const bodies = Array.from({ length: total }, (_, index) => `request ${index}`);
      const echoes = await Promise.all(bodies.map((body) => echoOf(client, body)));
      assert.deepEqual(echoes, bodies, 'each caller got the answer to its own request');
      assert.deepEqual(arrived.slice(limit), bodies.slice(limit), 'waiting requests were sent first in, first out');
      assert.deepEqual([...arrived.slice(0, limit)].sort(), bodies.slice(0, limit));
      assert.equal(connections(), limit, 'no more connections than the limit');
      // Idle connections are reused: a second wave opens none.
      const again = await Promise.all(bodies.slice(0, limit).map((body) => echoOf(client, `${body} again`)));
      assert.deepEqual(again, bodies.slice(0, limit).map((body) => `${body} again`));
      assert.equal(connections(), limit, 'the second wave reused the kept-alive connections');
    } finally {
      await client.close();
      await stop(server);
    }
  });

  it('many concurrent calls under a high limit each get their own answer, and sequential calls reuse one connection', async () => {
    const { url, server, connections } = await startServer(answer);
    const client = new UpstreamHttpClient({ baseUrl: url, path: '/v1/echo', headers: {}, connections: 64 });
    try {
      const bodies = Array.from({ length: 400 }, (_, index) => `call ${index}`);
      assert.deepEqual(await Promise.all(bodies.map((body) => echoOf(client, body))), bodies);
      const afterBurst = connections();
      assert.ok(afterBurst <= 64, `at most the limit of connections (saw ${afterBurst})`);
      for (let index = 0; index < 20; index++) assert.equal(await echoOf(client, `one by one ${index}`), `one by one ${index}`);
      assert.equal(connections(), afterBurst, 'calls one at a time reuse an idle connection');
    } finally {
      await client.close();
      await stop(server);
    }
  });

  it('a connection that died is not reused: the next call opens a new one and succeeds', async () => {
    let calls = 0;
    const { url, server, connections } = await startServer((request) => {
      // The first request loses its connection before any answer; the later ones are answered.
      if (calls++ === 0) request.socket.destroy();
      else answer(request);
    });
    const client = new UpstreamHttpClient({ baseUrl: url, path: '/v1/echo', headers: {}, connections: 1 });
    try {
      await assert.rejects(echoOf(client, 'lost'), (error: unknown) => isUpstreamError(error) && error.kind === 'connect');
      assert.equal(await echoOf(client, 'after'), 'after');
      assert.equal(await echoOf(client, 'reused'), 'reused');
      assert.equal(connections(), 2, 'one new connection replaced the dead one, and was kept');
    } finally {
      await client.close();
      await stop(server);
    }
  });

  it('close() lets waiting requests finish, closes every connection, and refuses calls after it', async () => {
    const held: HeldRequest[] = [];
    let arrived = 0;
    const { url, server, open } = await startServer((request) => {
      if (request.body === 'warm') return answer(request);
      arrived++;
      held.push(request);
      if (held.length === 2 || arrived === 4) answer(held.shift()!);
      if (arrived === 4) while (held.length > 0) answer(held.shift()!);
    });
    const client = new UpstreamHttpClient({ baseUrl: url, path: '/v1/echo', headers: {}, connections: 2 });
    try {
      // A first call makes the pool: close() before it exists has nothing to close.
      assert.equal(await echoOf(client, 'warm'), 'warm');
      const calls = ['a', 'b', 'c', 'd'].map((body) => echoOf(client, body));
      // Closing while calls are on the wire and others wait: all four still get their answers.
      const closed = client.close();
      assert.deepEqual(await Promise.all(calls), ['a', 'b', 'c', 'd']);
      await closed;
      while (open.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      await assert.rejects(echoOf(client, 'late'), (error: unknown) => isUpstreamError(error) && error.kind === 'connect');
    } finally {
      await stop(server);
    }
  });
});
