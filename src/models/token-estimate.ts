/** Rough token counts, about four characters a token: for backends that send no usage, and for routing rules and cost ceilings. */

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Estimated prompt tokens of a message list, without serialising it (a few tokens of overhead per message). */
export function estimatePromptTokens(messages: readonly { content: string }[]): number {
  let characters = 0;
  for (const message of messages) characters += message.content.length + 4;
  return Math.ceil(characters / 4);
}
