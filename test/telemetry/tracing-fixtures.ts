/** What the tracing tests share: an OpenAI-compatible upstream that records each request's headers, and a Switchboard over it that exports to a receiver. */

import type { ServerResponse } from 'node:http';
import type { ConfigInput } from '../../src/config/config-schema.js';
import { startCaptureServer, writeSse, type CaptureServer, type CapturedRequest } from '../models/capture-server.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import type { ReceivedSpan } from '../support/otlp-receiver.js';

export const upstreamModel = 'capture-model';
/** What the upstream says answered: a dated name, as OpenAI's API does. */
export const answeringModel = 'capture-model-2024-11';
export const answerParts = ['Your order ', 'ships today.'];

export interface ScriptedUpstream extends CaptureServer {
  /** Statuses to answer the next requests with, in order, before answering normally again. */
  failures: number[];
  /** The next streamed answer sends its first part and then nothing, until the caller goes away. */
  holdNext: boolean;
}

/** Answers chat completions like an OpenAI-compatible engine, streamed or not, with a usage of 11 in and 7 out. */
export async function startScriptedUpstream(): Promise<ScriptedUpstream> {
  const failures: number[] = [];
  const state = { holdNext: false };
  const answer = (request: CapturedRequest, response: ServerResponse) => {
    const status = failures.shift();
    if (status !== undefined) {
      response.writeHead(status, { 'content-type': 'application/json' }).end('{"error":{"message":"scripted failure"}}');
      return;
    }
    const body = request.body as { stream?: boolean };
    const usage = { prompt_tokens: 11, completion_tokens: 7 };
    if (!body.stream) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ id: 'c1', object: 'chat.completion', model: answeringModel, choices: [{ index: 0, message: { role: 'assistant', content: answerParts.join('') }, finish_reason: 'stop' }], usage }),
      );
      return;
    }
    const chunk = (delta: object, finish: string | null, withUsage = false) =>
      JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: answeringModel, choices: [{ index: 0, delta, finish_reason: finish }], ...(withUsage ? { usage } : {}) });
    if (state.holdNext) {
      state.holdNext = false;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${chunk({ content: answerParts[0] }, null)}\n\n`);
      return;
    }
    writeSse(response, [...answerParts.map((text) => ({ data: chunk({ content: text }, null) })), { data: chunk({}, 'stop', true) }, { data: '[DONE]' }]);
  };
  const server = await startCaptureServer(answer);
  // Accessors, not a copied value: the answer function reads the flag the test sets.
  return Object.defineProperties(server, {
    failures: { value: failures },
    holdNext: { get: () => state.holdNext, set: (value: boolean) => (state.holdNext = value) },
  }) as ScriptedUpstream;
}

/** A Switchboard whose one pool is the scripted upstream, tracing to `receiverUrl`. */
export function startTracedServer(upstream: CaptureServer, tracing: NonNullable<ConfigInput['telemetry']>['tracing'], overrides: Partial<ConfigInput> = {}): Promise<TestServer> {
  return startTestServer({
    simulator: undefined,
    pools: {
      upstream: {
        provider: 'openai',
        model: upstreamModel,
        instances: [{ url: upstream.url }],
        retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
        // Scripted failures must not open the breaker for the tests after them.
        breaker: { minimumCalls: 1_000 },
      },
    },
    routes: { assistant: { pool: 'upstream' } },
    agents: {
      'order-support': { route: 'assistant', systemPrompt: 'You are the order support agent.', keywords: ['order'] },
      advice: { route: 'assistant', systemPrompt: 'You give advice.' },
    },
    intent: { defaultAgent: 'advice' },
    telemetry: { tracing },
    ...overrides,
  });
}

/** The spans of one trace, and a lookup that fails loudly when a name is not there exactly once. */
export function traceOf(spans: readonly ReceivedSpan[], traceId: string): { spans: ReceivedSpan[]; one(name: string): ReceivedSpan; all(name: string): ReceivedSpan[] } {
  const inTrace = spans.filter((span) => span.traceId === traceId);
  const all = (name: string) => inTrace.filter((span) => span.name === name);
  return {
    spans: inTrace,
    all,
    one(name) {
      const found = all(name);
      if (found.length !== 1) throw new Error(`expected one span "${name}" in trace ${traceId}, found ${found.length}; the trace has: ${inTrace.map((span) => span.name).join(', ')}`);
      return found[0]!;
    },
  };
}
