/** OpenAI's chat-completion wire format for the simulator: JSON answers, `chat.completion.chunk` SSE streams and `{error}` bodies. */

import type { ServerResponse } from 'node:http';
import { parseChatCompletionRequest, type GenerationRequest } from './simulator-requests.js';
import type { SimulatorFinishReason } from './simulator-metrics.js';
import { errorHeaders, errorStatus, startEventStream, writeJson, type SimulatedErrorKind, type StreamWriter, type WireFormat } from './simulator-wire-format.js';

const errorTypes: Record<SimulatedErrorKind, { type: string; code: string }> = {
  invalid_request: { type: 'invalid_request_error', code: 'invalid_request' },
  not_found: { type: 'invalid_request_error', code: 'not_found' },
  method_not_allowed: { type: 'invalid_request_error', code: 'method_not_allowed' },
  too_large: { type: 'invalid_request_error', code: 'body_too_large' },
  rate_limited: { type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  internal: { type: 'server_error', code: 'internal_error' },
  unavailable: { type: 'server_error', code: 'service_unavailable' },
};

const OPEN_DELTA = '{"role":"assistant","content":""';
const OPEN_CONTENT = '{"content":';
const NOT_FINISHED = '},"logprobs":null,"finish_reason":null}]}\n\n';
// With `stream_options.include_usage`, OpenAI puts `"usage":null` on every chunk before the last.
const NOT_FINISHED_NULL_USAGE = '},"logprobs":null,"finish_reason":null}],"usage":null}\n\n';

/** Each chunk is a constant prefix + the token's JSON + a constant suffix: one concatenation per token. */
class OpenAiStreamWriter implements StreamWriter {
  private readonly chunkStart: string;
  private readonly chunkEnd: string;

  constructor(
    private readonly response: ServerResponse,
    private readonly request: GenerationRequest,
    private readonly id: string,
    private readonly created: number,
  ) {
    this.chunkStart = `data: {"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(request.model)},"choices":[{"index":0,"delta":`;
    this.chunkEnd = request.includeUsage ? NOT_FINISHED_NULL_USAGE : NOT_FINISHED;
  }

  token(tokenJson: string, first: boolean): void {
    const chunk = this.chunkStart + OPEN_CONTENT + tokenJson + this.chunkEnd;
    this.response.write(first ? this.chunkStart + OPEN_DELTA + this.chunkEnd + chunk : chunk);
  }

  finish(completionTokens: number, finishReason: SimulatorFinishReason): void {
    let tail = `${this.chunkStart}{},"logprobs":null,"finish_reason":"${finishReason}"}]${this.request.includeUsage ? ',"usage":null' : ''}}\n\n`;
    if (this.request.includeUsage) {
      const usage = usageJson(this.request.promptTokens, completionTokens);
      tail += `data: {"id":"${this.id}","object":"chat.completion.chunk","created":${this.created},"model":${JSON.stringify(this.request.model)},"choices":[],"usage":${usage}}\n\n`;
    }
    this.response.end(tail + 'data: [DONE]\n\n');
  }
}

function usageJson(promptTokens: number, completionTokens: number): string {
  return `{"prompt_tokens":${promptTokens},"completion_tokens":${completionTokens},"total_tokens":${promptTokens + completionTokens}}`;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export const openAiSimulatorFormat: WireFormat = {
  idPrefix: 'chatcmpl-sim-',
  parse: parseChatCompletionRequest,

  writeError(response, kind, message, param) {
    const { type, code } = errorTypes[kind];
    writeJson(response, errorStatus[kind], JSON.stringify({ error: { message, type, param: param ?? null, code } }), errorHeaders(kind));
  },

  writeCompletion(response, request, id, text, completionTokens, finishReason) {
    const body = JSON.stringify({
      id,
      object: 'chat.completion',
      created: nowSeconds(),
      model: request.model,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: finishReason }],
      usage: { prompt_tokens: request.promptTokens, completion_tokens: completionTokens, total_tokens: request.promptTokens + completionTokens },
    });
    writeJson(response, 200, body);
  },

  openStream(response, request, id) {
    startEventStream(response);
    return new OpenAiStreamWriter(response, request, id, nowSeconds());
  },
};
