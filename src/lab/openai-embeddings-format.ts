/** OpenAI's `POST /v1/embeddings` for the simulator: the request checks OpenAI makes, and the list of vectors it answers with. */

import type { ServerResponse } from 'node:http';
import { DEFAULT_EMBEDDING_DIMENSIONS, simulatedEmbedding } from './simulated-embedding.js';
import { isObject, problem, type FieldProblem } from './simulator-request-fields.js';
import { writeJson } from './simulator-wire-format.js';

export interface EmbeddingsRequest {
  ok: true;
  model: string;
  inputs: string[];
  dimensions: number;
  encoding: 'float' | 'base64';
  /** ceil(characters / 4) summed over the inputs. */
  promptTokens: number;
}

// OpenAI's limits: 2,048 inputs per request, 8,192 tokens per input.
const MAX_INPUTS = 2048;
const MAX_INPUT_TOKENS = 8192;
const MAX_DIMENSIONS = 4096;
const KNOWN_FIELDS = new Set(['input', 'model', 'dimensions', 'encoding_format', 'user']);

export function parseEmbeddingsRequest(body: unknown, defaultModel: string): EmbeddingsRequest | FieldProblem {
  if (!isObject(body)) return problem('', 'The request body must be a JSON object');
  for (const field of Object.keys(body)) {
    // OpenAI refuses what it does not know rather than ignore it; so does the simulator.
    if (!KNOWN_FIELDS.has(field)) return problem(field, `Unrecognized request argument supplied: ${field}`);
  }
  const model = body.model ?? defaultModel;
  if (typeof model !== 'string' || model === '') return problem('model', 'model must be a non-empty string');
  const input = body.input;
  let inputs: string[];
  if (typeof input === 'string') inputs = [input];
  else if (Array.isArray(input)) {
    if (input.length === 0) return problem('input', 'input must not be an empty array');
    if (input.length > MAX_INPUTS) return problem('input', `input must have at most ${MAX_INPUTS} items, got ${input.length}`);
    if (input.some((item) => typeof item === 'number' || Array.isArray(item))) {
      return problem('input', 'input as token ids is not simulated; send strings (the simulator has no tokenizer)');
    }
    inputs = input as string[];
  } else return problem('input', 'input must be a string or an array of strings');
  let promptTokens = 0;
  for (let index = 0; index < inputs.length; index++) {
    const item: unknown = inputs[index];
    const param = typeof input === 'string' ? 'input' : `input[${index}]`;
    if (typeof item !== 'string') return problem(param, `${param} must be a string`);
    if (item === '') return problem(param, `${param} must be a non-empty string`);
    const tokens = Math.ceil(item.length / 4);
    if (tokens > MAX_INPUT_TOKENS) return problem(param, `${param} has about ${tokens} tokens; this model's maximum context length is ${MAX_INPUT_TOKENS} tokens`);
    promptTokens += tokens;
  }
  const dimensions = body.dimensions ?? DEFAULT_EMBEDDING_DIMENSIONS;
  if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1 || dimensions > MAX_DIMENSIONS) {
    return problem('dimensions', `dimensions must be an integer in [1, ${MAX_DIMENSIONS}], got ${JSON.stringify(body.dimensions)}`);
  }
  const encoding = body.encoding_format ?? 'float';
  if (encoding !== 'float' && encoding !== 'base64') return problem('encoding_format', `encoding_format must be "float" or "base64", got ${JSON.stringify(encoding)}`);
  if (body.user !== undefined && typeof body.user !== 'string') return problem('user', 'user must be a string');
  return { ok: true, model, inputs, dimensions, encoding, promptTokens };
}

/** The vector as OpenAI sends it: float32 values printed with the 9 digits that round-trip, or their little-endian bytes in base64. */
function encodeVector(vector: Float32Array, encoding: 'float' | 'base64'): string {
  if (encoding === 'base64') return `"${Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64')}"`;
  let text = '[';
  for (let index = 0; index < vector.length; index++) text += (index === 0 ? '' : ',') + String(Number(vector[index]!.toPrecision(9)));
  return `${text}]`;
}

export function writeEmbeddings(response: ServerResponse, request: EmbeddingsRequest): void {
  let data = '';
  for (let index = 0; index < request.inputs.length; index++) {
    const vector = simulatedEmbedding(request.inputs[index]!, request.dimensions);
    data += `${index === 0 ? '' : ','}{"object":"embedding","index":${index},"embedding":${encodeVector(vector, request.encoding)}}`;
  }
  const usage = `{"prompt_tokens":${request.promptTokens},"total_tokens":${request.promptTokens}}`;
  writeJson(response, 200, `{"object":"list","data":[${data}],"model":${JSON.stringify(request.model)},"usage":${usage}}`);
}
