/** What each API dialect the simulator speaks (OpenAI, Anthropic) provides: parsing, errors, whole answers and streams. */

import type { ServerResponse } from 'node:http';
import type { PlannedToolCall } from './simulated-tool-calls.js';
import type { ParseResult, GenerationRequest } from './simulator-requests.js';
import type { SimulatorFinishReason } from './simulator-metrics.js';

export interface WholeToolCall extends PlannedToolCall {
  /** False when max_tokens cut the arguments short (they are then not valid JSON). */
  complete: boolean;
}

/** An answer as a non-streamed response carries it. */
export interface WholeAnswer {
  text: string | null;
  toolCalls: readonly WholeToolCall[];
}

/** Failure kinds; each dialect maps them to its own error type names. */
export type SimulatedErrorKind = 'invalid_request' | 'context_length' | 'not_found' | 'method_not_allowed' | 'too_large' | 'rate_limited' | 'internal' | 'unavailable';

export const errorStatus: Record<SimulatedErrorKind, number> = {
  invalid_request: 400,
  context_length: 400,
  not_found: 404,
  method_not_allowed: 405,
  too_large: 413,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

/** Token counts of a finished answer. */
export interface AnswerUsage {
  promptTokens: number;
  completionTokens: number;
  /** Leading prompt tokens the prefix cache held (0 without a cache). */
  cachedTokens: number;
}

/** Writes one streamed response; created when the response starts, after its headers are sent. */
export interface StreamWriter {
  /** Writes one text token given as a JSON string literal; `first` prepends the stream's opening events. */
  token(tokenJson: string, first: boolean): void;
  /** Opens tool call `callIndex` (0-based, in order) with its id and name (a JSON string literal). */
  toolCallStart(callIndex: number, id: string, nameJson: string, first: boolean): void;
  /** Writes a fragment of the open tool call's arguments, as a JSON string literal. */
  toolCallArguments(callIndex: number, fragmentJson: string): void;
  /** Writes the closing events and ends the response. */
  finish(usage: AnswerUsage, finishReason: SimulatorFinishReason): void;
}

export interface WireFormat {
  /** Prefix of response ids, e.g. `chatcmpl-`. */
  readonly idPrefix: string;
  /** Prefix of tool call ids, e.g. `call_`. */
  readonly toolCallIdPrefix: string;
  parse(body: unknown, defaultModel: string): ParseResult;
  writeError(response: ServerResponse, kind: SimulatedErrorKind, message: string, param?: string): void;
  writeCompletion(response: ServerResponse, request: GenerationRequest, id: string, answer: WholeAnswer, usage: AnswerUsage, finishReason: SimulatorFinishReason): void;
  /** Sends the SSE headers at once (as vLLM does) and returns the writer for the events. */
  openStream(response: ServerResponse, request: GenerationRequest, id: string): StreamWriter;
}

export function writeJson(response: ServerResponse, status: number, body: string, headers?: Record<string, string>): void {
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  response.end(body);
}

export function startEventStream(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  response.flushHeaders();
}

/** Extra headers of an error answer: a 429 tells the client when to come back, as real backends do. */
export function errorHeaders(kind: SimulatedErrorKind): Record<string, string> | undefined {
  return kind === 'rate_limited' ? { 'retry-after': '1' } : undefined;
}
