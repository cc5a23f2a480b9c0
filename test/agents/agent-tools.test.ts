import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startMcpTestServer, type McpTestServer } from '../support/mcp-test-server.js';
import { authHeaders, startTestServer, type TestServer } from '../support/test-server.js';

interface Reply {
  message: { content: string };
  steps: number;
  tool_calls: { id: string; name: string; arguments: string; ok: boolean; summary: string }[];
}

const orderSchema = { type: 'object', properties: { order_id: { type: 'string', pattern: '^[0-9]{3,12}$' } }, required: ['order_id'], additionalProperties: false };
const parcelSchema = { type: 'object', properties: { tracking_number: { type: 'string', pattern: '^[0-9]{6,12}$' } }, required: ['tracking_number'] };

/** The tool backends: a plain answer, a pair that only answers once both calls are in, a failure, one that never answers, one too big. */
function startToolServer(): Promise<{ url: string; seen: { path: string; authorization: string | undefined; body: string }[]; close(): Promise<void> }> {
  const seen: { path: string; authorization: string | undefined; body: string }[] = [];
  const waiting: ServerResponse[] = [];
  const hanging: ServerResponse[] = [];
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    seen.push({ path: request.url!, authorization: request.headers.authorization, body });
    switch (request.url) {
      case '/orders':
        response.end(JSON.stringify({ status: 'shipped', received: JSON.parse(body) }));
        return;
      case '/together':
        // Answers both calls only when both are in flight: calls run one after the other would wait here forever.
        waiting.push(response);
        if (waiting.length === 2) for (const held of waiting.splice(0)) held.end(JSON.stringify({ answered: 'together' }));
        return;
      case '/fail':
        response.writeHead(500).end('the order database is down');
        return;
      case '/big':
        // Written in pieces, so no content-length tells the size up front: the cap applies while reading.
        response.write('x'.repeat(25_000));
        response.end('x'.repeat(25_000));
        return;
      default:
        hanging.push(response);
    }
  };
  const server: Server = createServer((request, response) => void handle(request, response));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        seen,
        close: () => {
          server.closeAllConnections();
          return new Promise<void>((closed) => server.close(() => closed()));
        },
      }),
    ),
  );
}

describe('agent tools: HTTP and MCP, failures, limits', () => {
  let server: TestServer;
  let tools: Awaited<ReturnType<typeof startToolServer>>;
  let mcp: McpTestServer;
  before(async () => {
    tools = await startToolServer();
    mcp = await startMcpTestServer();
    process.env.SWITCHBOARD_TEST_ORDER_TOKEN = 'order-secret';
    const lookup = (path: string, extra: Record<string, unknown> = {}) => ({ kind: 'http' as const, name: 'lookup_order', description: 'Look up an order by its number.', parameters: orderSchema, url: `${tools.url}${path}`, ...extra });
    server = await startTestServer({
      agents: {
        orders: { route: 'demo', tools: [lookup('/orders', { headers: { authorization: 'Bearer ${SWITCHBOARD_TEST_ORDER_TOKEN}' } })] },
        parallel: { route: 'demo', tools: [lookup('/together'), { kind: 'http', name: 'track_parcel', description: 'Track a parcel by its tracking number.', parameters: parcelSchema, url: `${tools.url}/together` }] },
        flaky: { route: 'demo', tools: [lookup('/fail')] },
        slow: { route: 'demo', tools: [lookup('/hang', { timeoutMs: 60_000 })], limits: { toolTimeoutMs: 300 } },
        big: { route: 'demo', tools: [lookup('/big', { maxResponseBytes: 1_000 })] },
        stuck: { route: 'demo', tools: [lookup('/hang-forever', { timeoutMs: 60_000 })], limits: { toolTimeoutMs: 60_000, turnDeadlineMs: 500 } },
        'one-step': { route: 'demo', tools: [lookup('/orders')], limits: { maxSteps: 1 } },
        warehouse: { route: 'demo', tools: [{ kind: 'mcp', url: mcp.url }] },
      },
      intent: { defaultAgent: 'orders' },
    });
  });
  after(async () => {
    await server.close();
    await mcp.close();
    await tools.close();
    delete process.env.SWITCHBOARD_TEST_ORDER_TOKEN;
  });

  async function turn(agent: string, content: string): Promise<{ status: number; body: Reply & { error?: { code: string } }; session: string }> {
    const created = await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: authHeaders(server.key) });
    const { id } = (await created.json()) as { id: string };
    const response = await fetch(`${server.url}/v1/sessions/${id}/messages`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ content, agent }) });
    return { status: response.status, body: (await response.json()) as Reply & { error?: { code: string } }, session: id };
  }

  it('POSTs the validated arguments as JSON with the headers from ${ENV} secrets', async () => {
    const { status, body } = await turn('orders', 'where is my order 31337?');
    assert.equal(status, 200);
    assert.equal(body.tool_calls[0]!.ok, true);
    const call = tools.seen.find((seen) => seen.path === '/orders' && seen.body.includes('31337'))!;
    assert.equal(call.authorization, 'Bearer order-secret');
    assert.deepEqual(JSON.parse(call.body), { order_id: '31337' });
  });

  it('runs the calls of one answer in parallel', async () => {
    const { status, body } = await turn('parallel', 'check my order 4242 and track parcel 99887766');
    assert.equal(status, 200);
    assert.deepEqual(body.tool_calls.map((call) => call.name).sort(), ['lookup_order', 'track_parcel']);
    // Each backend call waited for the other: both answering proves both were in flight at once.
    assert.deepEqual(body.tool_calls.map((call) => [call.ok, call.summary]), [
      [true, '{"answered":"together"}'],
      [true, '{"answered":"together"}'],
    ]);
    assert.equal(body.steps, 2);
  });

  it('gives the model an error result when the tool fails, and the turn still answers', async () => {
    const { status, body } = await turn('flaky', 'where is order 5150?');
    assert.equal(status, 200);
    assert.equal(body.tool_calls[0]!.ok, false);
    assert.match(body.tool_calls[0]!.summary, /answered 500: the order database is down/);
    assert.equal(body.steps, 2);
  });

  it('gives the model an error result when the tool does not answer within the per-tool timeout', async () => {
    const { status, body } = await turn('slow', 'where is order 8080?');
    assert.equal(status, 200);
    assert.equal(body.tool_calls[0]!.ok, false);
    assert.match(body.tool_calls[0]!.summary, /did not answer within 300 ms/);
  });

  it('refuses a response over the size cap as an error result', async () => {
    const { status, body } = await turn('big', 'where is order 9090?');
    assert.equal(status, 200);
    assert.equal(body.tool_calls[0]!.ok, false);
    assert.match(body.tool_calls[0]!.summary, /over the limit of 1000 bytes/);
  });

  it('fails the turn at its deadline and writes nothing', async () => {
    const { status, body, session } = await turn('stuck', 'where is order 7070?');
    assert.equal(status, 504);
    assert.equal(body.error!.code, 'turn_deadline_exceeded');
    const stored = (await (await fetch(`${server.url}/v1/sessions/${session}`, { headers: authHeaders(server.key) })).json()) as { version: number; messages: unknown[] };
    assert.equal(stored.version, 0);
    assert.deepEqual(stored.messages, []);
  });

  it('stops offering tool calls at the step limit: one step answers in text', async () => {
    const before = tools.seen.length;
    const { status, body } = await turn('one-step', 'where is my order 6060?');
    assert.equal(status, 200);
    assert.equal(body.steps, 1);
    assert.deepEqual(body.tool_calls, []);
    assert.ok(body.message.content.length > 0);
    assert.equal(tools.seen.length, before);
  });

  it('calls MCP tools over one connection per process, reused by later turns; an MCP error is an error result', async () => {
    const first = await turn('warehouse', 'check the stock of sku 4711');
    assert.equal(first.status, 200);
    assert.equal(first.body.tool_calls[0]!.name, 'check_stock');
    assert.equal(first.body.tool_calls[0]!.ok, true);
    assert.deepEqual(JSON.parse(first.body.tool_calls[0]!.summary), { sku: JSON.parse(first.body.tool_calls[0]!.arguments).sku, in_stock: 7, warehouse: 'Lyon' });
    const second = await turn('warehouse', 'please reserve some stock for me');
    assert.equal(second.status, 200);
    assert.equal(second.body.tool_calls[0]!.name, 'reserve_stock');
    assert.equal(second.body.tool_calls[0]!.ok, false);
    assert.match(second.body.tool_calls[0]!.summary, /reservations are closed/);
    assert.equal(mcp.sessions, 1);
    assert.equal(mcp.calls.get('check_stock'), 1);
  });
});
