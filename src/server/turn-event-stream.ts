/** Streams a turn's events as SSE; the response starts with the first event, so earlier failures keep their HTTP status. */

import type { ToolCallRecord } from '../agents/agent-runner.js';
import type { ToolCall } from '../chat/chat-types.js';
import { intentOfReply, type TurnContext, type TurnEvents } from '../pipeline/turn/turn-context.js';
import type { StageTimer } from '../pipeline/stage-timer.js';
import type { HttpExchange } from './http-exchange.js';
import { isAscii } from './ascii.js';
import { SseWriter } from './sse-writer.js';

export class TurnEventStream implements TurnEvents {
  #writer: SseWriter | undefined;
  readonly #exchange: HttpExchange;
  readonly #timer: StageTimer;

  constructor(exchange: HttpExchange, timer: StageTimer) {
    this.#exchange = exchange;
    this.#timer = timer;
  }

  get started(): boolean {
    return this.#writer !== undefined;
  }

  #open(): SseWriter {
    if (!this.#writer) {
      this.#exchange.setHeader('server-timing', this.#timer.serverTiming());
      this.#writer = new SseWriter(this.#exchange.startStream(200, 'text/event-stream; charset=utf-8'));
    }
    return this.#writer;
  }

  async intent(context: TurnContext): Promise<void> {
    await this.#open().send(JSON.stringify({ intent: intentOfReply(context.intent!), agent: context.agentName }), 'intent');
  }

  /** Not async: the writer's promise, only while the client's socket is full, so a token costs no promise of its own. */
  delta(text: string): Promise<void> | undefined {
    return this.#open().sendFrame(`event: delta\ndata: {"text":${JSON.stringify(text)}}\n\n`, isAscii(text));
  }

  async toolCall(call: ToolCall): Promise<void> {
    await this.#open().send(JSON.stringify({ id: call.id, name: call.function.name, arguments: call.function.arguments }), 'tool_call');
  }

  async toolResult(record: ToolCallRecord): Promise<void> {
    await this.#open().send(JSON.stringify({ id: record.id, name: record.name, ok: record.ok, duration_ms: record.durationMs, summary: record.summary }), 'tool_result');
  }

  async event(name: string, data: string): Promise<void> {
    await this.#open().send(data, name);
  }

  end(): void {
    if (this.#writer && !this.#writer.closed) this.#writer.end();
  }
}
