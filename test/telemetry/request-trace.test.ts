import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { CapturedRequest } from '../models/capture-server.js';
import { authHeaders, readSse, type TestServer } from '../support/test-server.js';
import { spanKinds, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { answeringModel, answerParts, startScriptedUpstream, startTracedServer, traceOf, upstreamModel, type ScriptedUpstream } from './tracing-fixtures.js';

const turnStages = ['authenticate', 'admit', 'load-session', 'detect-intent', 'select-agent', 'assign-variant', 'run-agent', 'save-session'];

/** The trace id in the traceparent an upstream request carried. */
function traceIdSent(request: CapturedRequest): string {
  const header = request.headers.traceparent;
  assert.equal(typeof header, 'string', 'the upstream request carries a traceparent');
  return (header as string).split('-')[1]!;
}

function isChildOf(child: ReceivedSpan, parent: ReceivedSpan): boolean {
  return child.parentSpanId === parent.spanId && child.traceId === parent.traceId;
}

describe('traces of requests, exported over OTLP/HTTP to a real receiver', () => {
  let receiver: OtlpReceiver;
  let upstream: ScriptedUpstream;
  let server: TestServer;

  before(async () => {
    receiver = await startOtlpReceiver();
    upstream = await startScriptedUpstream();
    server = await startTracedServer(upstream, { enabled: true, endpoint: receiver.url, protocol: 'http/json' });
  });
  after(async () => {
    await server.close();
    await upstream.close();
    await receiver.close();
  });

  const flush = () => server.runtime.tracer.forceFlush();

  async function newSession(): Promise<string> {
    const response = await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: authHeaders(server.key), body: '{}' });
    return ((await response.json()) as { id: string }).id;
  }

  const spanClockSkew = 1_000_000n;

  it('continues the caller\'s trace through every stage of a streamed turn to the model call and its upstream request', async () => {
    const session = await newSession();
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const response = await fetch(`${server.url}/v1/sessions/${session}/messages`, {
      method: 'POST',
      headers: { ...authHeaders(server.key), traceparent: `00-${traceId}-${callerSpanId}-01`, 'user-agent': 'trace-test/1' },
      body: JSON.stringify({ content: 'Where is my order 123?', stream: true }),
    });
    const events = await readSse(response);
    assert.equal(events.at(-1)!.event, 'done');
    await flush();

    const trace = traceOf(receiver.spans, traceId);
    const request = trace.one('POST /v1/sessions/{id}/messages');
    assert.equal(request.kind, spanKinds.server);
    assert.equal(request.parentSpanId, callerSpanId, 'the incoming traceparent is the server span\'s parent');
    assert.equal(request.attributes['http.request.method'], 'POST');
    assert.equal(request.attributes['http.route'], '/v1/sessions/{id}/messages');
    assert.equal(request.attributes['url.path'], `/v1/sessions/${session}/messages`);
    assert.equal(request.attributes['http.response.status_code'], 200);
    assert.equal(request.attributes['user_agent.original'], 'trace-test/1');
    assert.equal(request.attributes['switchboard.tenant'], 'tenant-a');
    assert.equal(request.status.code, 0);
    assert.equal(request.resource['service.name'], 'switchboard');

    for (const name of turnStages) {
      const stage = trace.one(name);
      assert.ok(isChildOf(stage, request), `${name} is a child of the server span`);
      assert.equal(stage.kind, spanKinds.internal);
      // The SDK starts each span at Date.now() (whole milliseconds) and times it with the monotonic clock, so two
      // spans' edges can differ by up to 1 ms from the truth: a stage that ends just before the response looks later.
      assert.ok(stage.startNanos >= request.startNanos - spanClockSkew && stage.endNanos <= request.endNanos + spanClockSkew, `${name} lies inside the request`);
    }
    assert.equal(trace.one('detect-intent').attributes['switchboard.intent'], 'order-support');
    const runAgent = trace.one('run-agent');
    assert.equal(runAgent.attributes['gen_ai.agent.name'], 'order-support');

    const chat = trace.one(`chat ${upstreamModel}`);
    assert.ok(isChildOf(chat, runAgent), 'the model call is a child of run-agent');
    assert.equal(chat.kind, spanKinds.client);
    assert.deepEqual(
      {
        operation: chat.attributes['gen_ai.operation.name'],
        provider: chat.attributes['gen_ai.provider.name'],
        requestModel: chat.attributes['gen_ai.request.model'],
        responseModel: chat.attributes['gen_ai.response.model'],
        finishReasons: chat.attributes['gen_ai.response.finish_reasons'],
        input: chat.attributes['gen_ai.usage.input_tokens'],
        output: chat.attributes['gen_ai.usage.output_tokens'],
        conversation: chat.attributes['gen_ai.conversation.id'],
        address: chat.attributes['server.address'],
        port: chat.attributes['server.port'],
        stream: chat.attributes['gen_ai.request.stream'],
        tenant: chat.attributes['switchboard.tenant'],
        pool: chat.attributes['switchboard.pool'],
        attempts: chat.attributes['switchboard.attempts'],
      },
      {
        operation: 'chat',
        provider: 'openai',
        requestModel: upstreamModel,
        responseModel: answeringModel,
        finishReasons: ['stop'],
        input: 11,
        output: 7,
        conversation: session,
        address: '127.0.0.1',
        port: Number(new URL(upstream.url).port),
        stream: true,
        tenant: 'tenant-a',
        pool: 'upstream',
        attempts: 1,
      },
    );
    const firstChunk = chat.events.find((event) => event.name === 'gen_ai.response.first_chunk');
    assert.ok(firstChunk, `a time-to-first-token event; events: ${JSON.stringify(chat.events)}`);
    const ttft = firstChunk.attributes['gen_ai.response.time_to_first_chunk'] as number;
    assert.ok(ttft > 0 && ttft < (Number(chat.endNanos - chat.startNanos) / 1e9), `TTFT ${ttft} s lies within the call`);
    assert.equal(chat.attributes['gen_ai.response.time_to_first_chunk'], ttft);
    // Off by default: no prompt or answer in the trace.
    for (const key of ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions']) assert.equal(chat.attributes[key], undefined, key);

    const attempt = trace.one('POST');
    assert.ok(isChildOf(attempt, chat), 'the attempt is a child of the model call');
    assert.equal(attempt.kind, spanKinds.client);
    assert.equal(attempt.attributes['server.address'], '127.0.0.1');
    const sent = upstream.requests.at(-1)!;
    assert.equal(sent.headers.traceparent, `00-${traceId}-${attempt.spanId}-01`, 'the upstream request carries the attempt span as its parent');
    assert.equal(trace.spans.length, 1 + turnStages.length + 2, `no other span in the trace: ${trace.spans.map((span) => span.name).join(', ')}`);
  });

  it('gives a chat completion its own trace, one model span over two attempts when the first fails, and a traceparent per attempt', async () => {
    upstream.failures.push(503);
    const before = upstream.requests.length;
    const response = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ model: 'assistant', messages: [{ role: 'user', content: 'hi' }], max_tokens: 20, temperature: 0.5 }) });
    assert.equal(response.status, 200);
    await response.text();
    await flush();

    const sent = upstream.requests.slice(before);
    assert.equal(sent.length, 2);
    const traceId = traceIdSent(sent[0]!);
    const trace = traceOf(receiver.spans, traceId);
    const request = trace.one('POST /v1/chat/completions');
    assert.equal(request.parentSpanId, '', 'no incoming traceparent: a new trace');
    for (const name of ['authenticate', 'admit', 'resolve-route', 'call-model']) assert.ok(isChildOf(trace.one(name), request), name);
    const chat = trace.one(`chat ${upstreamModel}`);
    assert.ok(isChildOf(chat, trace.one('call-model')));
    assert.equal(chat.attributes['gen_ai.request.max_tokens'], 20);
    assert.equal(chat.attributes['gen_ai.request.temperature'], 0.5);
    assert.equal(chat.attributes['gen_ai.request.stream'], undefined, 'set only for streamed requests');
    assert.equal(chat.attributes['switchboard.attempts'], 2);
    assert.equal(chat.status.code, 0);
    assert.equal(chat.events.length, 0, 'time to first chunk is for streamed calls');

    const attempts = trace.all('POST').sort((left, right) => Number(left.startNanos - right.startNanos));
    assert.equal(attempts.length, 2);
    for (const attempt of attempts) assert.ok(isChildOf(attempt, chat));
    assert.equal(attempts[0]!.attributes['error.type'], '503');
    assert.equal(attempts[0]!.attributes['http.response.status_code'], 503);
    assert.equal(attempts[0]!.status.code, 2);
    assert.equal(attempts[1]!.attributes['http.request.resend_count'], 1);
    assert.equal(attempts[1]!.status.code, 0);
    assert.deepEqual(sent.map((request) => request.headers.traceparent), attempts.map((attempt) => `00-${traceId}-${attempt.spanId}-01`));
  });

  it('marks failures: a failed stage with its error code, a failed model call and its 5xx server span', async () => {
    const missing = await fetch(`${server.url}/v1/sessions/no-such-session/messages`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ content: 'hello' }) });
    assert.equal(missing.status, 404);
    upstream.failures.push(500, 500);
    const failed = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ model: 'assistant', messages: [{ role: 'user', content: 'hi' }] }) });
    assert.equal(failed.status, 502);
    const failedTraceId = traceIdSent(upstream.requests.at(-1)!);
    await flush();

    const notFound = receiver.spans.find((span) => span.name === 'POST /v1/sessions/{id}/messages' && span.attributes['url.path'] === '/v1/sessions/no-such-session/messages')!;
    assert.ok(notFound);
    assert.equal(notFound.attributes['http.response.status_code'], 404);
    assert.equal(notFound.status.code, 0, 'a 4xx is not the server\'s failure');
    const loadSession = traceOf(receiver.spans, notFound.traceId).one('load-session');
    assert.equal(loadSession.status.code, 2);
    assert.equal(loadSession.attributes['error.type'], 'session_not_found');

    const trace = traceOf(receiver.spans, failedTraceId);
    const request = trace.one('POST /v1/chat/completions');
    assert.equal(request.status.code, 2);
    assert.equal(request.attributes['error.type'], 'upstream_error');
    assert.equal(request.attributes['http.response.status_code'], 502);
    const chat = trace.one(`chat ${upstreamModel}`);
    assert.equal(chat.status.code, 2);
    assert.equal(chat.attributes['error.type'], 'upstream_error');
    assert.deepEqual(trace.all('POST').map((attempt) => attempt.attributes['error.type']), ['500', '500']);
  });

  it('ends the model span as cancelled when the client leaves mid-stream', async () => {
    upstream.holdNext = true;
    const controller = new AbortController();
    const response = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ model: 'assistant', stream: true, messages: [{ role: 'user', content: 'hi' }] }), signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    const traceId = traceIdSent(upstream.requests.at(-1)!);
    // The server learns of the disconnect on its own schedule: wait for the span, not for a time.
    let chat: ReceivedSpan | undefined;
    for (let tries = 0; tries < 200 && !chat; tries++) {
      await flush();
      chat = receiver.spans.find((span) => span.traceId === traceId && span.name === `chat ${upstreamModel}`);
      if (!chat) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.ok(chat, 'the model span ended');
    assert.equal(chat.status.code, 2);
    assert.equal(chat.attributes['error.type'], 'cancelled');
    assert.equal(chat.attributes['gen_ai.usage.output_tokens'], undefined, 'no usage: the answer never finished');
  });

  it('follows the caller\'s sampling decision: an unsampled traceparent exports nothing but still propagates upstream', async () => {
    const traceId = randomBytes(16).toString('hex');
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...authHeaders(server.key), traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-00` },
      body: JSON.stringify({ model: 'assistant', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(response.status, 200);
    await response.text();
    await flush();
    assert.equal(traceOf(receiver.spans, traceId).spans.length, 0);
    assert.match(String(upstream.requests.at(-1)!.headers.traceparent), new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
  });
});

describe('message content in traces, only when opted in', () => {
  it('records the system instructions, the history and the streamed answer on the model span with captureContent', async () => {
    const receiver = await startOtlpReceiver();
    const upstream = await startScriptedUpstream();
    const server = await startTracedServer(upstream, { enabled: true, endpoint: receiver.url, protocol: 'http/json', captureContent: true });
    try {
      const session = ((await (await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: authHeaders(server.key), body: '{}' })).json()) as { id: string }).id;
      const response = await fetch(`${server.url}/v1/sessions/${session}/messages`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ content: 'Where is my order 123?', stream: true }) });
      await readSse(response);
      await server.runtime.tracer.forceFlush();
      const chat = receiver.spans.find((span) => span.name === `chat ${upstreamModel}`)!;
      assert.ok(chat);
      assert.deepEqual(JSON.parse(chat.attributes['gen_ai.system_instructions'] as string), [{ type: 'text', content: 'You are the order support agent.' }]);
      assert.deepEqual(JSON.parse(chat.attributes['gen_ai.input.messages'] as string), [{ role: 'user', parts: [{ type: 'text', content: 'Where is my order 123?' }] }]);
      assert.deepEqual(JSON.parse(chat.attributes['gen_ai.output.messages'] as string), [{ role: 'assistant', parts: [{ type: 'text', content: answerParts.join('') }], finish_reason: 'stop' }]);
    } finally {
      await server.close();
      await upstream.close();
      await receiver.close();
    }
  });
});

describe('OTLP/HTTP protobuf, the default protocol', () => {
  it('exports the same trace as protobuf, decoded by the receiver', async () => {
    const receiver = await startOtlpReceiver();
    const upstream = await startScriptedUpstream();
    const server = await startTracedServer(upstream, { enabled: true, endpoint: receiver.url });
    try {
      const response = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ model: 'assistant', stream: true, messages: [{ role: 'user', content: 'hi' }] }) });
      await response.text();
      await server.runtime.tracer.forceFlush();
      assert.ok(receiver.exports.length > 0 && receiver.exports.every((sent) => sent.contentType === 'application/x-protobuf' && sent.path === '/v1/traces'), JSON.stringify(receiver.exports));
      const traceId = traceIdSent(upstream.requests.at(-1)!);
      const trace = traceOf(receiver.spans, traceId);
      const chat = trace.one(`chat ${upstreamModel}`);
      assert.ok(isChildOf(chat, trace.one('call-model')));
      assert.ok(isChildOf(trace.one('call-model'), trace.one('POST /v1/chat/completions')));
      assert.equal(chat.attributes['gen_ai.usage.output_tokens'], 7);
      assert.equal(chat.attributes['gen_ai.response.model'], answeringModel);
      assert.deepEqual(chat.attributes['gen_ai.response.finish_reasons'], ['stop']);
      assert.ok(chat.events.some((event) => event.name === 'gen_ai.response.first_chunk'));
    } finally {
      await server.close();
      await upstream.close();
      await receiver.close();
    }
  });
});
