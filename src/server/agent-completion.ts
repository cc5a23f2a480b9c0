/**
 * POST /v1/chat/completions with `model: "agent:NAME"` (or `agent:auto`): the agent answers in
 * OpenAI's format, so the official clients reach the tool loop and retrieval unchanged. The
 * non-streamed reply adds a `switchboard` object (agent, intent, steps, tool calls, citations);
 * a stream sends the answer's text as content deltas and names the agent in its headers.
 */

import type { ToolCall } from '../chat/chat-types.js';
import type { ToolCallRecord } from '../agents/agent-runner.js';
import { newDecision } from '../models/route-decision.js';
import { sessionHeader } from '../pipeline/chat/assign-variant-stage.js';
import { runAgentChat } from '../pipeline/agent-chat/run-agent-chat.js';
import type { RequestContext } from '../pipeline/request-context.js';
import { intentOfReply, type TurnContext, type TurnEvents } from '../pipeline/turn/turn-context.js';
import { agentChatSession, toAgentCompletion } from './agent-completion-request.js';
import { chatCompletionReply } from './chat-completion-reply.js';
import { toChatCallRequest } from './chat-completion-request.js';
import type { ChatCompletionRequest } from './chat-completion-schema.js';
import type { HttpExchange } from './http-exchange.js';
import { OpenAiChatStream, setDecisionHeaders } from './openai-chat-stream.js';
import type { RouteServices } from './server-host.js';

interface AgentCompletionInput {
  exchange: HttpExchange;
  lifecycle: RequestContext;
  body: ChatCompletionRequest;
  rawBody: Buffer;
  services: RouteServices;
  id: string;
  created: number;
}

/** The stream opens at the first text, when the route decision its headers name is known. */
class AgentCompletionEvents implements TurnEvents {
  readonly stream: OpenAiChatStream;
  readonly #context: () => TurnContext;
  #opened = false;

  constructor(stream: OpenAiChatStream, context: () => TurnContext) {
    this.stream = stream;
    this.#context = context;
  }

  get opened(): boolean {
    return this.#opened;
  }

  async open(): Promise<void> {
    if (this.#opened) return;
    this.#opened = true;
    await this.stream.open(this.#context().decision ?? newDecision(''));
  }

  intent(): void {}

  async delta(text: string): Promise<void> {
    await this.open();
    await this.stream.delta(text);
  }

  // Tools run inside the agent: OpenAI's stream has no place for calls the client did not offer.
  toolCall(_call: ToolCall): void {}
  toolResult(_record: ToolCallRecord): void {}
}

export async function handleAgentCompletion({ exchange, lifecycle, body, rawBody, services, id, created }: AgentCompletionInput): Promise<void> {
  const completion = toAgentCompletion(body, toChatCallRequest(body), services.agents, services.sessionSettings.maxMessageChars);
  const tenant = lifecycle.caller!.tenant;
  // Experiments assign by session: the caller's session header when it sends one, else this completion.
  const sessionId = exchange.header(sessionHeader) ?? id;
  // The stream reads the context lazily: its headers name the agent the stages pick.
  const events = body.stream
    ? new AgentCompletionEvents(OpenAiChatStream.forRequest(exchange, { id, created, body }, lifecycle.timer, services.logger, () => agentHeaders(context)), () => context)
    : undefined;
  const context: TurnContext = {
    authorization: lifecycle.authorization,
    timer: lifecycle.timer,
    span: lifecycle.span,
    caller: lifecycle.caller,
    sessionId,
    content: completion.content,
    requestedAgent: completion.agent,
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    idempotencyKey: undefined,
    // No idempotency key here, so nothing compares request bodies: the hash is not computed.
    requestHash: '',
    signal: exchange.signal,
    abort: lifecycle.abort,
    events,
    startedAt: Date.now(),
    session: agentChatSession(sessionId, tenant, completion.history),
  };
  try {
    await runAgentChat(context, services);
    services.metrics.countTurn(context.agentName!, context.intent!.intent);
  } catch (error) {
    if (events === undefined || !events.opened) {
      events?.stream.close();
      throw error;
    }
    await events.stream.fail(error);
    events.stream.close();
    return;
  } finally {
    lifecycle.decision = context.decision;
  }
  const result = context.result!;
  if (events) {
    await events.open();
    await events.stream.finish(result.finishReason, result.usage);
    await events.stream.done();
    events.stream.close();
    return;
  }
  setDecisionHeaders(exchange, context.decision!);
  for (const [name, value] of Object.entries(agentHeaders(context))) exchange.setHeader(name, value);
  exchange.setHeader('server-timing', context.timer.serverTiming());
  const run = context.run!;
  exchange.respond(
    200,
    JSON.stringify({
      ...chatCompletionReply(id, created, body.model, result),
      switchboard: {
        agent: context.agentName,
        intent: intentOfReply(context.intent!),
        steps: run.steps,
        tool_calls: run.toolCalls.map((call) => ({ id: call.id, name: call.name, arguments: call.arguments, ok: call.ok, duration_ms: call.durationMs, summary: call.summary })),
        citations: run.citations.map((citation) => ({ document_id: citation.documentId, chunk_id: citation.chunkId })),
        timings: context.timer.timings,
      },
    }),
  );
}

/** The agent and intent that answered, for clients that only read headers (streams). */
function agentHeaders(context: TurnContext): Record<string, string> {
  const headers: Record<string, string> = {};
  if (context.agentName !== undefined) headers['x-switchboard-agent'] = context.agentName;
  if (context.intent !== undefined) headers['x-switchboard-intent'] = context.intent.intent;
  return headers;
}
