/** One load-test request in chat mode: an OpenAI chat completion, streamed or whole. */

import { runExchange, type ExchangeContext } from './load-exchange.js';

export interface ChatRequestOptions {
  model: string;
  prompt: string;
  maxTokens?: number;
}

/** Builds the request body once per run: every request sends the same bytes. */
export function chatRequestBody(options: ChatRequestOptions, stream: boolean): string {
  return JSON.stringify({
    model: options.model,
    messages: [{ role: 'user', content: options.prompt }],
    ...(options.maxTokens !== undefined ? { max_tokens: options.maxTokens } : {}),
    stream,
    // Usage gives the true token count when the server batches tokens into chunks.
    ...(stream ? { stream_options: { include_usage: true } } : {}),
  });
}

/** Sends one chat completion and records it; never throws. */
export function sendChatRequest(context: ExchangeContext, body: string): Promise<void> {
  return runExchange(context, '/v1/chat/completions', body, 'chat', 'choices');
}
