/**
 * The part of a session's history the model sees: the last `window` messages, never starting inside a tool
 * exchange — a tool result without the call that asked for it is refused by the APIs, so such a start moves on.
 */

import type { ChatMessage } from '../chat/chat-types.js';
import type { StoredMessage } from '../stores/store-types.js';

function toChatMessage(stored: StoredMessage): ChatMessage {
  const message: ChatMessage = { role: stored.role, content: stored.content };
  if (stored.name !== undefined) message.name = stored.name;
  if (stored.toolCallId !== undefined) message.toolCallId = stored.toolCallId;
  if (stored.toolCalls !== undefined && stored.toolCalls.length > 0) message.toolCalls = stored.toolCalls;
  return message;
}

/** Appends the window's messages to `into` (the prompt being built). */
export function appendHistoryWindow(into: ChatMessage[], history: readonly StoredMessage[], window: number): void {
  let start = Math.max(0, history.length - window);
  while (start < history.length && history[start]!.role === 'tool') start++;
  for (let index = start; index < history.length; index++) into.push(toChatMessage(history[index]!));
}
