/** POST /v1/sessions/{id}/messages: one orchestrated turn, as JSON or as server-sent events. */

import { createHash } from 'node:crypto';
import { SwitchboardError, toSwitchboardError } from '../../errors.js';
import { runTurn, serverTiming } from '../../pipeline/run-turn.js';
import type { TurnContext, TurnEvents } from '../../pipeline/turn-context.js';
import type { Runtime } from '../../runtime.js';
import type { HttpExchange } from '../http-exchange.js';
import type { RouteHandler } from '../route-table.js';
import { parseValue, readJsonBody } from '../parse-body.js';
import { turnRequestSchema, type TurnRequest } from '../request-schemas.js';
import { SseWriter } from '../sse-writer.js';

const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;

async function readTurnRequest(exchange: HttpExchange, runtime: Runtime): Promise<{ body: TurnRequest; raw: Buffer }> {
  const { value, raw } = await readJsonBody(exchange, runtime.config.server.bodyLimitBytes);
  if (value === undefined) throw new SwitchboardError('invalid_json', 'The request needs a JSON body.');
  const body = parseValue(value, turnRequestSchema);
  if (body.content.length > runtime.config.sessions.maxMessageChars) {
    throw new SwitchboardError('invalid_request', `Invalid field "content": longer than ${runtime.config.sessions.maxMessageChars} characters.`, { param: 'content' });
  }
  return { body, raw };
}

/** Streams the turn's events; the SSE response starts with the first event, so earlier failures keep their HTTP status. */
class TurnEventStream implements TurnEvents {
  #writer: SseWriter | undefined;
  constructor(
    private readonly exchange: HttpExchange,
    private readonly context: () => TurnContext,
  ) {}

  get started(): boolean {
    return this.#writer !== undefined;
  }

  #open(): SseWriter {
    if (!this.#writer) {
      this.exchange.setHeader('server-timing', serverTiming(this.context().timings));
      this.#writer = new SseWriter(this.exchange.startStream(200, 'text/event-stream; charset=utf-8'));
    }
    return this.#writer;
  }

  async intent(context: TurnContext): Promise<void> {
    await this.#open().send(JSON.stringify({ intent: { name: context.intent!.intent, confidence: context.intent!.confidence, source: context.intent!.source }, agent: context.agentName }), 'intent');
  }

  async delta(text: string): Promise<void> {
    await this.#open().send(`{"text":${JSON.stringify(text)}}`, 'delta');
  }

  async event(name: string, data: string): Promise<void> {
    await this.#open().send(data, name);
  }

  end(): void {
    if (this.#writer && !this.#writer.closed) this.#writer.end();
  }
}

export const handleTurn: RouteHandler = async (exchange, params, runtime) => {
  // Authentication runs as the pipeline's first stage; the body is read first so a bad body is a 400 even unauthenticated.
  const { body, raw } = await readTurnRequest(exchange, runtime);
  const idempotencyKey = exchange.header('idempotency-key');
  if (idempotencyKey !== undefined && !idempotencyKeyPattern.test(idempotencyKey)) {
    throw new SwitchboardError('invalid_request', 'The Idempotency-Key header must be 1-255 visible ASCII characters.', { param: 'Idempotency-Key' });
  }
  let context: TurnContext;
  const stream = body.stream ? new TurnEventStream(exchange, () => context) : undefined;
  context = {
    sessionId: params.id!,
    content: body.content,
    authorization: exchange.header('authorization'),
    requestedAgent: body.agent,
    maxTokens: body.max_tokens,
    idempotencyKey,
    requestHash: createHash('sha256').update(params.id!).update('\0').update(raw).digest('base64url'),
    signal: exchange.signal,
    events: stream,
    startedAt: Date.now(),
    timings: {},
  };
  if (!stream) {
    try {
      const reply = await runTurn(context, runtime);
      countUsage(runtime, context);
      exchange.setHeader('server-timing', serverTiming(context.timings));
      exchange.respond(200, JSON.stringify(reply));
    } finally {
      context.release?.();
    }
    return;
  }
  try {
    const reply = await runTurn(context, runtime);
    countUsage(runtime, context);
    if (context.replay) {
      // A replayed streamed turn sends the stored answer as one delta, so the client's parser needs no special case.
      await stream.event('intent', JSON.stringify({ intent: reply.intent, agent: reply.agent, replayed: true }));
      await stream.delta(reply.message.content);
    }
    // The streamed text is the reply, except when a concurrent retry of this turn committed first:
    // then `done` carries the stored text, which is what the session holds.
    const message = context.supersededByDuplicate ? reply.message : { role: 'assistant' };
    await stream.event('done', JSON.stringify({ ...reply, message, timings: context.supersededByDuplicate ? reply.timings : context.timings, superseded: context.supersededByDuplicate === true }));
  } catch (error) {
    if (!stream.started) throw error;
    const known = toSwitchboardError(error);
    runtime.logger.warn({ code: known.code, message: known.message, session: params.id }, 'turn failed mid-stream');
    await stream.event('error', JSON.stringify(known.toJSON())).catch(() => undefined);
  } finally {
    context.release?.();
    stream.end();
  }
};

function countUsage(runtime: Runtime, context: TurnContext): void {
  const usage = context.result?.usage;
  if (usage) runtime.metrics.countTokens(usage.promptTokens, usage.completionTokens);
}
