/**
 * Which request fields each provider can honour. A route refuses a call with a field one of its pools could not
 * honour, naming the field, rather than let that pool drop it silently (docs/decisions.md, "Chat fields").
 */

import type { ChatCallRequest } from '../../chat/chat-types.js';

export type ProviderKind = 'openai' | 'anthropic';

/** A field the provider cannot honour: its name as the client sent it (OpenAI's wire names) and why. */
export interface UnsupportedField {
  param: string;
  reason: string;
}

/** Anthropic's Messages API has no counterpart for these (OpenAI names); `user` maps to `metadata.user_id`. */
const anthropicLacks: readonly { param: string; present: (request: ChatCallRequest) => boolean; reason: string }[] = [
  { param: 'seed', present: (request) => request.seed !== undefined, reason: 'the Messages API has no seed' },
  { param: 'temperature', present: (request) => request.temperature !== undefined && request.temperature > 1, reason: "the Messages API's temperature runs from 0 to 1" },
  { param: 'logprobs', present: (request) => request.logprobs === true, reason: 'the Messages API returns no log probabilities' },
  { param: 'top_logprobs', present: (request) => request.topLogprobs !== undefined, reason: 'the Messages API returns no log probabilities' },
  { param: 'n', present: (request) => request.n !== undefined && request.n !== 1, reason: 'the Messages API generates one answer' },
  { param: 'presence_penalty', present: (request) => request.presencePenalty !== undefined, reason: 'the Messages API has no penalties' },
  { param: 'frequency_penalty', present: (request) => request.frequencyPenalty !== undefined, reason: 'the Messages API has no penalties' },
  { param: 'logit_bias', present: (request) => request.logitBias !== undefined, reason: 'the Messages API has no logit bias' },
  { param: 'metadata', present: (request) => request.metadata !== undefined, reason: 'the Messages API metadata holds only user_id (send `user`)' },
  {
    param: 'response_format',
    present: (request) => request.responseFormat !== undefined && request.responseFormat.type !== 'text',
    reason: 'the Messages API has no JSON mode; ask for JSON in the prompt or use a tool',
  },
];

function anthropicUnsupported(request: ChatCallRequest): UnsupportedField | undefined {
  for (const field of anthropicLacks) if (field.present(request)) return { param: field.param, reason: field.reason };
  const tools = request.tools;
  if (tools) {
    for (let index = 0; index < tools.length; index++) {
      if (tools[index]!.strict === true) return { param: `tools.${index}.function.strict`, reason: 'the Messages API has no strict tool schemas' };
    }
  }
  // A tool message's name repeats its call's; any other message's name has no place on this API.
  const messages = request.messages;
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index]!;
    if (message.name !== undefined && message.role !== 'tool') return { param: `messages.${index}.name`, reason: 'the Messages API has no per-message names' };
  }
  if (request.extraFields) {
    for (const name in request.extraFields) return { param: name, reason: 'it is not a field Switchboard maps to the Messages API' };
  }
  return undefined;
}

/** The first field of `request` a provider of this kind cannot honour; undefined when it honours them all. */
export function unsupportedField(provider: ProviderKind, request: ChatCallRequest): UnsupportedField | undefined {
  // OpenAI-format backends take every OpenAI field; a field one of them does not know is its own to refuse.
  if (provider === 'openai') return undefined;
  return anthropicUnsupported(request);
}
