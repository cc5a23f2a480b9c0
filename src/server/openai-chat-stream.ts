/** Writes a streamed chat completion in OpenAI's chunk format: the pipeline's stream events become SSE frames. */

import type { ChatStreamPart, FinishReason, TokenUsage } from '../chat/chat-types.js';
import { toSwitchboardError } from '../errors.js';
import type { RouteDecision } from '../models/route-decision.js';
import type { ChatStreamEvents } from '../pipeline/chat/chat-context.js';
import type { StageTimer } from '../pipeline/stage-timer.js';
import type { Logger } from '../telemetry/logger.js';
import type { HttpExchange } from './http-exchange.js';
import { isAscii } from './ascii.js';
import { SseWriter } from './sse-writer.js';

/** The route decision in response headers, so a caller can see which rule, pool and instance answered. */
export function setDecisionHeaders(exchange: HttpExchange, decision: RouteDecision): void {
  exchange.setHeader('x-switchboard-pool', decision.pool);
  exchange.setHeader('x-switchboard-instance', decision.instance);
  exchange.setHeader('x-switchboard-rule', decision.rule);
}

/** What a stream needs of its request: ids, the model the caller named and whether usage was asked for. */
export interface ChatStreamRequest {
  readonly id: string;
  readonly created: number;
  readonly body: { readonly model: string; readonly stream_options?: { include_usage?: boolean } | null };
}

const deltaTail = '},"finish_reason":null}]}\n\n';

export class OpenAiChatStream implements ChatStreamEvents {
  /** The stream of one chat completion request, as both the route and agent completions open it. */
  static forRequest(exchange: HttpExchange, request: ChatStreamRequest, timer: StageTimer, logger: Pick<Logger, 'warn'>, extraHeaders: () => Record<string, string>): OpenAiChatStream {
    const { id, created, body } = request;
    return new OpenAiChatStream(exchange, { id, created, model: body.model, includeUsage: body.stream_options?.include_usage === true, timer, logger, extraHeaders });
  }

  readonly #exchange: HttpExchange;
  readonly #timer: StageTimer;
  readonly #logger: Pick<Logger, 'warn'>;
  readonly #id: string;
  readonly #created: number;
  readonly #model: string;
  readonly #includeUsage: boolean;
  /** Every chunk shares this prefix; only the delta differs, so nothing but the text is serialised per token. */
  readonly #prefix: string;
  /** A text delta's whole SSE frame around its JSON string, built once per stream. */
  readonly #deltaHead: string;
  /** Whether that head (id and the caller's model name) is ASCII: then a delta of ASCII text is too. */
  readonly #deltaHeadAscii: boolean;
  #writer: SseWriter | undefined;

  readonly #extraHeaders: (() => Record<string, string>) | undefined;

  constructor(
    exchange: HttpExchange,
    options: { id: string; created: number; model: string; includeUsage: boolean; timer: StageTimer; logger: Pick<Logger, 'warn'>; extraHeaders?: () => Record<string, string> },
  ) {
    this.#extraHeaders = options.extraHeaders;
    this.#exchange = exchange;
    this.#timer = options.timer;
    this.#logger = options.logger;
    this.#id = options.id;
    this.#created = options.created;
    this.#model = JSON.stringify(options.model);
    this.#includeUsage = options.includeUsage;
    this.#prefix = `{"id":"${options.id}","object":"chat.completion.chunk","created":${options.created},"model":${this.#model},"choices":[{"index":0,"delta":`;
    this.#deltaHead = `data: ${this.#prefix}{"content":`;
    this.#deltaHeadAscii = isAscii(this.#deltaHead);
  }

  get closed(): boolean {
    return this.#writer?.closed ?? false;
  }

  async open(decision: RouteDecision): Promise<void> {
    setDecisionHeaders(this.#exchange, decision);
    for (const [name, value] of Object.entries(this.#extraHeaders?.() ?? {})) this.#exchange.setHeader(name, value);
    this.#exchange.setHeader('server-timing', this.#timer.serverTiming());
    this.#writer = new SseWriter(this.#exchange.startStream(200, 'text/event-stream; charset=utf-8'));
    await this.#writer.send(`${this.#prefix}{"role":"assistant","content":""},"finish_reason":null}]}`);
  }

  /** Not async: the writer's promise, only while the client's socket is full, so a token costs no promise of its own. */
  delta(text: string): Promise<void> | undefined {
    // JSON.stringify escapes only ASCII and keeps every other character: ASCII text gives an ASCII frame.
    return this.#writer!.sendFrame(`${this.#deltaHead}${JSON.stringify(text)}${deltaTail}`, this.#deltaHeadAscii && isAscii(text));
  }

  /** OpenAI's shape: the first piece of a call carries `id`, `type` and `function.name`; later ones only argument text. */
  toolCallDelta(part: Extract<ChatStreamPart, { type: 'tool-call-delta' }>): Promise<void> | undefined {
    const head = part.id === undefined ? '' : `"id":${JSON.stringify(part.id)},"type":"function",`;
    const name = part.name === undefined ? '' : `"name":${JSON.stringify(part.name)},`;
    return this.#writer!.send(`${this.#prefix}{"tool_calls":[{"index":${part.index},${head}"function":{${name}"arguments":${JSON.stringify(part.argumentsDelta)}}}]},"finish_reason":null}]}`);
  }

  async finish(finishReason: FinishReason, usage: TokenUsage): Promise<void> {
    const writer = this.#writer!;
    await writer.send(`${this.#prefix}{},"finish_reason":"${finishReason}"}]}`);
    if (this.#includeUsage) {
      const wire = { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens };
      await writer.send(`{"id":"${this.#id}","object":"chat.completion.chunk","created":${this.#created},"model":${this.#model},"choices":[],"usage":${JSON.stringify(wire)}}`);
    }
  }

  async done(): Promise<void> {
    await this.#writer?.send('[DONE]');
  }

  async fail(error: unknown): Promise<void> {
    const known = toSwitchboardError(error);
    this.#logger.warn({ code: known.code, message: known.message }, 'chat stream failed after first token');
    await this.#writer?.send(JSON.stringify(known.toJSON()))?.catch(() => undefined);
  }

  close(): void {
    if (this.#writer && !this.#writer.closed) this.#writer.end();
  }
}
