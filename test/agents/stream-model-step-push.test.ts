import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { streamModelStep } from '../../src/agents/stream-model-step.js';
import { ModelRouter } from '../../src/models/model-router.js';
import { poolConfig, routerConfig, seededRandom } from '../models/instance-fixtures.js';

function event(delta: Record<string, unknown>, finish: string | null = null): string {
  return `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

/** A real OpenAI-compatible upstream on port 0: text in three writes, a tool call in two pieces, then the finish. */
function startUpstream(): Promise<Server> {
  const server = createServer((request, response) => {
    request.resume();
    request.once('end', () => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(event({ content: 'one ' }));
      setImmediate(() => {
        response.write(event({ content: 'two ' }));
        setImmediate(() => {
          response.write(event({ content: 'three' }));
          response.write(event({ tool_calls: [{ index: 0, id: 'call-1', function: { name: 'lookup', arguments: '{"id":' } }] }));
          response.end(event({ tool_calls: [{ index: 0, function: { arguments: '7}' } }] }) + event({}, 'tool_calls') + 'data: [DONE]\n\n');
        });
      });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('a streamed model step of the agent loop', () => {
  let upstream: Server;
  let router: ModelRouter;
  before(async () => {
    upstream = await startUpstream();
    const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    router = new ModelRouter(routerConfig({ main: poolConfig({ instances: [{ url }] }) }, { chat: { pool: 'main' } }), (value) => value, { random: seededRandom(1) });
  });
  after(async () => {
    await router.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('waits for a listener that is behind before it hands on more, and assembles text and tool call as pulled', async () => {
    const deltas: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let pendingWhileHeld: number | undefined;
    const listener = {
      delta(text: string): Promise<void> | undefined {
        deltas.push(text);
        // The first delta's client is behind: nothing more may reach the listener until it catches up.
        if (deltas.length === 1) {
          setTimeout(() => {
            pendingWhileHeld = deltas.length;
            release();
          }, 50);
          return held;
        }
        return undefined;
      },
    };
    let firstParts = 0;
    const { result, decision } = await streamModelStep(
      router,
      { route: 'chat', listener } as unknown as Parameters<typeof streamModelStep>[1],
      { model: '', messages: [{ role: 'user', content: 'hi' }] },
      new AbortController().signal,
      () => firstParts++,
      {},
    );
    assert.equal(pendingWhileHeld, 1);
    assert.equal(deltas.join(''), 'one two three');
    assert.equal(result.text, 'one two three');
    assert.equal(result.finishReason, 'tool_calls');
    assert.deepEqual(result.toolCalls, [{ id: 'call-1', type: 'function', function: { name: 'lookup', arguments: '{"id":7}' } }]);
    assert.equal(decision.pool, 'main');
    assert.ok(firstParts >= 3);
  });
});
