import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startOtlpReceiver, spanKinds, type OtlpReceiver } from '../support/otlp-receiver.js';
import { demoConfig } from '../../src/config/demo-config.js';
import { MemoryRetriever } from '../support/memory-retriever.js';
import { authHeaders, startTestServer, type TestServer } from '../support/test-server.js';
import { traceOf } from '../telemetry/tracing-fixtures.js';

describe('tool calls in traces', () => {
  let receiver: OtlpReceiver;
  let server: TestServer;
  before(async () => {
    receiver = await startOtlpReceiver();
    const catalogue = new MemoryRetriever([{ documentId: 'sku-1', chunkId: 'sku-1#0', text: 'Trail running shoes with a rock plate.' }]);
    server = await startTestServer(
      {
        telemetry: { tracing: { enabled: true, endpoint: receiver.url, protocol: 'http/json' } },
        // The demo's agents, the shopping agent's retrieval included; the retriever passed in serves its knowledge base.
        agents: demoConfig.agents,
        knowledge: { catalogue: { kind: 'http', url: 'http://127.0.0.1:9/search' } },
      },
      { retrievers: new Map([['catalogue', catalogue]]) },
    );
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  /** One turn on a fresh session, sent with a sampled traceparent of a new trace. */
  async function tracedTurn(body: Record<string, unknown>): Promise<{ traceId: string; response: Response }> {
    const created = await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: authHeaders(server.key) });
    const { id } = (await created.json()) as { id: string };
    const traceId = randomBytes(16).toString('hex');
    const response = await fetch(`${server.url}/v1/sessions/${id}/messages`, {
      method: 'POST',
      headers: { ...authHeaders(server.key), traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      body: JSON.stringify(body),
    });
    return { traceId, response };
  }

  it('gives each tool call an execute_tool span under run-agent, between the two model calls', async () => {
    const { traceId, response } = await tracedTurn({ content: 'Where is my order 27182?' });
    const reply = (await response.json()) as { tool_calls: { id: string }[] };
    await server.runtime.tracer.forceFlush();
    const trace = traceOf(receiver.spans, traceId);
    const runAgent = trace.one('run-agent');
    const tool = trace.one('execute_tool lookup_order');
    assert.equal(tool.parentSpanId, runAgent.spanId);
    assert.equal(tool.kind, spanKinds.internal);
    assert.equal(tool.attributes['gen_ai.operation.name'], 'execute_tool');
    assert.equal(tool.attributes['gen_ai.tool.call.id'], reply.tool_calls[0]!.id);
    assert.equal(tool.attributes['gen_ai.tool.type'], 'extension');
    assert.notEqual(tool.status.code, 2);
    const chats = trace.all('chat switchboard-sim').sort((left, right) => Number(left.startNanos - right.startNanos));
    assert.equal(chats.length, 2);
    // Causal order: the first call asked for the tool, the second was made with its result. Spans'
    // clocks are anchored at Date.now(), in whole milliseconds, so two spans may disagree by up to 1 ms.
    const clockSkew = 1_000_000n;
    assert.ok(chats[0]!.startNanos <= tool.startNanos + clockSkew && tool.endNanos <= chats[1]!.startNanos + clockSkew, 'model call, tool, model call');
    assert.ok((chats[1]!.attributes['gen_ai.usage.input_tokens'] as number) > (chats[0]!.attributes['gen_ai.usage.input_tokens'] as number), 'the second call carries the tool call and its result');
  });

  it('gives a prompt-mode search a retrieval span under run-agent, before the model call', async () => {
    const { traceId, response } = await tracedTurn({ content: 'Can you recommend running shoes?', agent: 'shopping-advice' });
    const reply = (await response.json()) as { citations: { document_id: string }[] };
    assert.deepEqual(reply.citations.map((citation) => citation.document_id), ['sku-1']);
    await server.runtime.tracer.forceFlush();
    const trace = traceOf(receiver.spans, traceId);
    const runAgent = trace.one('run-agent');
    const retrieval = trace.one('retrieval catalogue');
    assert.equal(retrieval.parentSpanId, runAgent.spanId);
    assert.equal(retrieval.kind, spanKinds.client);
    assert.equal(retrieval.attributes['gen_ai.operation.name'], 'retrieval');
    assert.equal(retrieval.attributes['gen_ai.data_source.id'], 'catalogue');
    assert.equal(retrieval.attributes['gen_ai.request.top_k'], 3);
    assert.equal(retrieval.attributes['switchboard.retrieval.documents'], 1);
    // Off by default: no query text in the trace.
    assert.equal(retrieval.attributes['gen_ai.retrieval.query.text'], undefined);
  });
});
