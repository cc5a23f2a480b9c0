/** OpenAI's chat-completion wire format for the simulator: JSON answers, `chat.completion.chunk` SSE streams and `{error}` bodies. */

import type { ServerResponse } from 'node:http';
import { parseChatCompletionRequest } from './openai-chat-request.js';
import type { GenerationRequest } from './simulator-requests.js';
import type { SimulatorFinishReason } from './simulator-metrics.js';
import { errorHeaders, errorStatus, startEventStream, writeJson, type AnswerUsage, type SimulatedErrorKind, type StreamWriter, type WireFormat } from './simulator-wire-format.js';

const errorTypes: Record<SimulatedErrorKind, { type: string; code: string }> = {
  invalid_request: { type: 'invalid_request_error', code: 'invalid_request' },
  context_length: { type: 'invalid_request_error', code: 'context_length_exceeded' },
  not_found: { type: 'invalid_request_error', code: 'not_found' },
  method_not_allowed: { type: 'invalid_request_error', code: 'method_not_allowed' },
  too_large: { type: 'invalid_request_error', code: 'body_too_large' },
  rate_limited: { type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  internal: { type: 'server_error', code: 'internal_error' },
  unavailable: { type: 'server_error', code: 'service_unavailable' },
};

const OPEN_DELTA = '{"role":"assistant","content":""';
const OPEN_CONTENT = '{"content":';
// OpenAI opens a tool-call answer with the role, null content and the first call in one delta.
const OPEN_TOOL_CALLS = '{"role":"assistant","content":null,"tool_calls":[{"index":';
const NEXT_TOOL_CALL = '{"tool_calls":[{"index":';
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

  toolCallStart(callIndex: number, id: string, nameJson: string, first: boolean): void {
    this.response.write(
      `${this.chunkStart}${first ? OPEN_TOOL_CALLS : NEXT_TOOL_CALL}${callIndex},"id":"${id}","type":"function","function":{"name":${nameJson},"arguments":""}}]${this.chunkEnd}`,
    );
  }

  toolCallArguments(callIndex: number, fragmentJson: string): void {
    this.response.write(`${this.chunkStart}${NEXT_TOOL_CALL}${callIndex},"function":{"arguments":${fragmentJson}}}]${this.chunkEnd}`);
  }

  finish(usageCounts: AnswerUsage, finishReason: SimulatorFinishReason): void {
    let tail = `${this.chunkStart}{},"logprobs":null,"finish_reason":"${finishReason}"}]${this.request.includeUsage ? ',"usage":null' : ''}}\n\n`;
    if (this.request.includeUsage) {
      const usage = usageJson(usageCounts);
      tail += `data: {"id":"${this.id}","object":"chat.completion.chunk","created":${this.created},"model":${JSON.stringify(this.request.model)},"choices":[],"usage":${usage}}\n\n`;
    }
    this.response.end(tail + 'data: [DONE]\n\n');
  }
}

/** OpenAI's usage; `prompt_tokens_details.cached_tokens` only when the prefix cache served part of the prompt. */
function usageJson({ promptTokens, completionTokens, cachedTokens }: AnswerUsage): string {
  const details = cachedTokens > 0 ? `,"prompt_tokens_details":{"cached_tokens":${cachedTokens}}` : '';
  return `{"prompt_tokens":${promptTokens},"completion_tokens":${completionTokens},"total_tokens":${promptTokens + completionTokens}${details}}`;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export const openAiSimulatorFormat: WireFormat = {
  idPrefix: 'chatcmpl-sim-',
  toolCallIdPrefix: 'call_',
  parse: parseChatCompletionRequest,

  writeError(response, kind, message, param) {
    const { type, code } = errorTypes[kind];
    writeJson(response, errorStatus[kind], JSON.stringify({ error: { message, type, param: param ?? null, code } }), errorHeaders(kind));
  },

  writeCompletion(response, request, id, answer, usage, finishReason) {
    const message: Record<string, unknown> = { role: 'assistant', content: answer.text };
    if (answer.toolCalls.length > 0) {
      message.tool_calls = answer.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
    }
    const choices = JSON.stringify([{ index: 0, message, logprobs: null, finish_reason: finishReason }]);
    const body = `{"id":"${id}","object":"chat.completion","created":${nowSeconds()},"model":${JSON.stringify(request.model)},"choices":${choices},"usage":${usageJson(usage)}}`;
    writeJson(response, 200, body);
  },

  openStream(response, request, id) {
    startEventStream(response);
    return new OpenAiStreamWriter(response, request, id, nowSeconds());
  },
};
