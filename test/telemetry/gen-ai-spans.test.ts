import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../src/config/load-config.js';
import { createTracer } from '../../src/telemetry/create-tracer.js';
import { endRetrievalSpan, endToolSpan, startRetrievalSpan, startToolSpan } from '../../src/telemetry/gen-ai-spans.js';
import { noopSpan, type Tracer } from '../../src/telemetry/tracing.js';
import { spanKinds, startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { testConfig } from '../support/test-server.js';

const silent = { info: () => undefined, warn: () => undefined };

async function tracerTo(receiver: OtlpReceiver, captureContent: boolean): Promise<Tracer> {
  const settings = parseConfig(testConfig({ telemetry: { tracing: { enabled: true, endpoint: receiver.url, protocol: 'http/json', captureContent } } })).telemetry.tracing;
  return createTracer(settings, silent, {});
}

describe('tool and retrieval spans for the agent runner and the retrievers', () => {
  let receiver: OtlpReceiver;
  before(async () => {
    receiver = await startOtlpReceiver();
  });
  after(() => receiver.close());

  it('names and shapes them as the GenAI conventions say, under the span they run for, without content by default', async () => {
    const tracer = await tracerTo(receiver, false);
    const request = tracer.startRequestSpan('POST /v1/sessions/{id}/messages', undefined, undefined);
    const stage = request.child('run-agent');
    const tool = startToolSpan(stage, { name: 'lookup_order', callId: 'call_1', type: 'extension', description: 'Finds an order', arguments: '{"order":123}' });
    endToolSpan(tool, { result: '{"status":"shipped"}' });
    const failing = startToolSpan(stage, { name: 'refund' });
    endToolSpan(failing, { error: new TypeError('bad amount') });
    const retrieval = startRetrievalSpan(stage, { dataSource: 'faq', topK: 4, provider: 'openai', model: 'text-embedding-3-small', query: 'return policy' });
    endRetrievalSpan(retrieval, { documents: [{ id: 'doc-1', score: 0.9 }, { id: 'doc-2', score: 0.5 }] });
    stage.end();
    request.end();
    await tracer.shutdown();

    const lookup = receiver.spans.find((span) => span.name === 'execute_tool lookup_order')!;
    const stageSpan = receiver.spans.find((span) => span.name === 'run-agent')!;
    assert.ok(lookup && stageSpan);
    assert.equal(lookup.parentSpanId, stageSpan.spanId);
    assert.equal(lookup.kind, spanKinds.internal);
    assert.deepEqual(
      { operation: lookup.attributes['gen_ai.operation.name'], name: lookup.attributes['gen_ai.tool.name'], id: lookup.attributes['gen_ai.tool.call.id'], type: lookup.attributes['gen_ai.tool.type'], description: lookup.attributes['gen_ai.tool.description'] },
      { operation: 'execute_tool', name: 'lookup_order', id: 'call_1', type: 'extension', description: 'Finds an order' },
    );
    assert.equal(lookup.attributes['gen_ai.tool.call.arguments'], undefined);
    assert.equal(lookup.attributes['gen_ai.tool.call.result'], undefined);
    const refund = receiver.spans.find((span) => span.name === 'execute_tool refund')!;
    assert.equal(refund.status.code, 2);
    assert.equal(refund.attributes['error.type'], 'TypeError');
    const search = receiver.spans.find((span) => span.name === 'retrieval faq')!;
    assert.equal(search.kind, spanKinds.client);
    assert.equal(search.parentSpanId, stageSpan.spanId);
    assert.equal(search.attributes['gen_ai.operation.name'], 'retrieval');
    assert.equal(search.attributes['gen_ai.data_source.id'], 'faq');
    assert.equal(search.attributes['gen_ai.request.top_k'], 4);
    assert.equal(search.attributes['gen_ai.request.model'], 'text-embedding-3-small');
    assert.equal(search.attributes['switchboard.retrieval.documents'], 2);
    assert.equal(search.attributes['gen_ai.retrieval.query.text'], undefined);
    assert.equal(search.attributes['gen_ai.retrieval.documents'], undefined);
  });

  it('records arguments, results, the query and the documents only with content capture on', async () => {
    const tracer = await tracerTo(receiver, true);
    const request = tracer.startRequestSpan('POST /v1/sessions/{id}/messages', undefined, undefined);
    const tool = startToolSpan(request, { name: 'track_parcel', arguments: '{"parcel":"P1"}' });
    endToolSpan(tool, { result: '{"at":"depot"}' });
    const retrieval = startRetrievalSpan(request, { dataSource: 'manuals', query: 'reset the router' });
    endRetrievalSpan(retrieval, { documents: [{ id: 'm-7', score: 0.75 }] });
    request.end();
    await tracer.shutdown();
    const track = receiver.spans.find((span) => span.name === 'execute_tool track_parcel')!;
    assert.equal(track.attributes['gen_ai.tool.call.arguments'], '{"parcel":"P1"}');
    assert.equal(track.attributes['gen_ai.tool.call.result'], '{"at":"depot"}');
    const manuals = receiver.spans.find((span) => span.name === 'retrieval manuals')!;
    assert.equal(manuals.attributes['gen_ai.retrieval.query.text'], 'reset the router');
    assert.deepEqual(JSON.parse(manuals.attributes['gen_ai.retrieval.documents'] as string), [{ id: 'm-7', score: 0.75 }]);
  });

  it('costs nothing with tracing off: the helpers hand back the no-op span', () => {
    assert.equal(startToolSpan(noopSpan, { name: 'x' }), noopSpan);
    assert.equal(startRetrievalSpan(noopSpan, { dataSource: 'x' }), noopSpan);
  });
});
