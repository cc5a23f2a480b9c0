/** A whole chat completion in OpenAI's shape, as the route and agent completions answer it. */

import type { ChatCallResult } from '../chat/chat-types.js';

/** The answer as OpenAI's assistant message: a turn that only called tools has null content, as OpenAI sends it. */
function assistantMessage(result: ChatCallResult): Record<string, unknown> {
  const toolCalls = result.toolCalls ?? [];
  if (toolCalls.length === 0) return { role: 'assistant', content: result.text, refusal: null };
  return { role: 'assistant', content: result.text === '' ? null : result.text, refusal: null, tool_calls: toolCalls };
}

export function chatCompletionReply(id: string, created: number, model: string, result: ChatCallResult): Record<string, unknown> {
  const { promptTokens, completionTokens } = result.usage;
  return {
    id,
    object: 'chat.completion',
    created,
    model,
    choices: [{ index: 0, message: assistantMessage(result), logprobs: result.logprobs ?? null, finish_reason: result.finishReason }],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}
