/** Anthropic's Messages wire format for the simulator: message JSON, the named SSE events, and `{type:'error'}` bodies. */

import type { ServerResponse } from 'node:http';
import { parseMessagesRequest } from './anthropic-messages-request.js';
import type { GenerationRequest } from './simulator-requests.js';
import type { SimulatorFinishReason } from './simulator-metrics.js';
import { errorHeaders, errorStatus, startEventStream, writeJson, type AnswerUsage, type SimulatedErrorKind, type StreamWriter, type WireFormat } from './simulator-wire-format.js';

const errorTypes: Record<SimulatedErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  context_length: 'invalid_request_error',
  not_found: 'not_found_error',
  method_not_allowed: 'invalid_request_error',
  too_large: 'request_too_large',
  rate_limited: 'rate_limit_error',
  internal: 'api_error',
  unavailable: 'overloaded_error',
};

const stopReasons: Record<SimulatorFinishReason, string> = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use' };

const DELTA_START = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":';
const DELTA_END = '}}\n\n';
const PING = 'event: ping\ndata: {"type":"ping"}\n\n';
const BLOCK_START = 'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n' + PING;
const INPUT_DELTA_START = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":';
const INPUT_DELTA_MIDDLE = ',"delta":{"type":"input_json_delta","partial_json":';

function blockStop(index: number): string {
  return `event: content_block_stop\ndata: {"type":"content_block_stop","index":${index}}\n\n`;
}

class AnthropicStreamWriter implements StreamWriter {
  /** The content block being written (tool calls are one block each, in order). */
  private openBlock = 0;

  constructor(
    private readonly response: ServerResponse,
    private readonly request: GenerationRequest,
    private readonly id: string,
  ) {}

  token(tokenJson: string, first: boolean): void {
    const delta = DELTA_START + tokenJson + DELTA_END;
    this.response.write(first ? this.messageStart() + BLOCK_START + delta : delta);
  }

  toolCallStart(callIndex: number, id: string, nameJson: string, first: boolean): void {
    const opening = first ? this.messageStart() : blockStop(this.openBlock);
    this.openBlock = callIndex;
    const start = `event: content_block_start\ndata: {"type":"content_block_start","index":${callIndex},"content_block":{"type":"tool_use","id":"${id}","name":${nameJson},"input":{}}}\n\n`;
    this.response.write(opening + start + (first ? PING : ''));
  }

  toolCallArguments(callIndex: number, fragmentJson: string): void {
    this.response.write(INPUT_DELTA_START + callIndex + INPUT_DELTA_MIDDLE + fragmentJson + DELTA_END);
  }

  private messageStart(): string {
    const message = JSON.stringify({
      type: 'message_start',
      message: {
        id: this.id,
        type: 'message',
        role: 'assistant',
        model: this.request.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: this.request.promptTokens, output_tokens: 1 },
      },
    });
    return `event: message_start\ndata: ${message}\n\n`;
  }

  finish(usage: AnswerUsage, finishReason: SimulatorFinishReason): void {
    this.response.end(
      blockStop(this.openBlock) +
        `event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"${stopReasons[finishReason]}","stop_sequence":null},"usage":{"output_tokens":${usage.completionTokens}}}\n\n` +
        'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    );
  }
}

export const anthropicSimulatorFormat: WireFormat = {
  idPrefix: 'msg_sim_',
  toolCallIdPrefix: 'toolu_',
  parse: parseMessagesRequest,

  writeError(response, kind, message) {
    writeJson(response, errorStatus[kind], JSON.stringify({ type: 'error', error: { type: errorTypes[kind], message } }), errorHeaders(kind));
  },

  writeCompletion(response, request, id, answer, usage, finishReason) {
    const content: unknown[] = [];
    if (answer.text !== null) content.push({ type: 'text', text: answer.text });
    // `input` is an object: a call that max_tokens cut short has none to give, so it is left out (stop_reason says why).
    for (const call of answer.toolCalls) if (call.complete) content.push({ type: 'tool_use', id: call.id, name: call.name, input: JSON.parse(call.arguments) as unknown });
    const body = JSON.stringify({
      id,
      type: 'message',
      role: 'assistant',
      model: request.model,
      content,
      stop_reason: stopReasons[finishReason],
      stop_sequence: null,
      usage: { input_tokens: request.promptTokens, output_tokens: usage.completionTokens },
    });
    writeJson(response, 200, body);
  },

  openStream(response, request, id) {
    startEventStream(response);
    return new AnthropicStreamWriter(response, request, id);
  },
};
