/** Anthropic's Messages wire format for the simulator: message JSON, the named SSE events, and `{type:'error'}` bodies. */

import type { ServerResponse } from 'node:http';
import { parseMessagesRequest, type GenerationRequest } from './simulator-requests.js';
import type { SimulatorFinishReason } from './simulator-metrics.js';
import { errorHeaders, errorStatus, startEventStream, writeJson, type SimulatedErrorKind, type StreamWriter, type WireFormat } from './simulator-wire-format.js';

const errorTypes: Record<SimulatedErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  not_found: 'not_found_error',
  method_not_allowed: 'invalid_request_error',
  too_large: 'request_too_large',
  rate_limited: 'rate_limit_error',
  internal: 'api_error',
  unavailable: 'overloaded_error',
};

const stopReasons: Record<SimulatorFinishReason, string> = { stop: 'end_turn', length: 'max_tokens' };

const DELTA_START = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":';
const DELTA_END = '}}\n\n';
const BLOCK_START =
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n' +
  'event: ping\ndata: {"type":"ping"}\n\n';

class AnthropicStreamWriter implements StreamWriter {
  constructor(
    private readonly response: ServerResponse,
    private readonly request: GenerationRequest,
    private readonly id: string,
  ) {}

  token(tokenJson: string, first: boolean): void {
    const delta = DELTA_START + tokenJson + DELTA_END;
    if (!first) {
      this.response.write(delta);
      return;
    }
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
    this.response.write(`event: message_start\ndata: ${message}\n\n${BLOCK_START}${delta}`);
  }

  finish(completionTokens: number, finishReason: SimulatorFinishReason): void {
    this.response.end(
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n' +
        `event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"${stopReasons[finishReason]}","stop_sequence":null},"usage":{"output_tokens":${completionTokens}}}\n\n` +
        'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    );
  }
}

export const anthropicSimulatorFormat: WireFormat = {
  idPrefix: 'msg_sim_',
  parse: parseMessagesRequest,

  writeError(response, kind, message) {
    writeJson(response, errorStatus[kind], JSON.stringify({ type: 'error', error: { type: errorTypes[kind], message } }), errorHeaders(kind));
  },

  writeCompletion(response, request, id, text, completionTokens, finishReason) {
    const body = JSON.stringify({
      id,
      type: 'message',
      role: 'assistant',
      model: request.model,
      content: [{ type: 'text', text }],
      stop_reason: stopReasons[finishReason],
      stop_sequence: null,
      usage: { input_tokens: request.promptTokens, output_tokens: completionTokens },
    });
    writeJson(response, 200, body);
  },

  openStream(response, request, id) {
    startEventStream(response);
    return new AnthropicStreamWriter(response, request, id);
  },
};
