/**
 * The prompt as the simulated engine prefills it, and its chain of block hashes for the prefix cache.
 *
 * A prompt token is four characters (UTF-16 code units) of the prompt text, the estimate used across
 * Switchboard. The prompt text is what the simulator counts as prompt tokens: tool definitions, then every
 * message's text, tool calls and tool results, in order. Message boundaries and roles are mixed into the
 * hashes without taking room, so two prompts whose texts only split differently into messages do not share
 * blocks, while `prompt_tokens` stays exactly ceil(characters / 4).
 */

/** Role codes mixed into the hash at a message boundary; above 0xffff, so never equal to a character. */
export const promptBoundary = {
  tools: 0x10001,
  system: 0x10002,
  developer: 0x10003,
  user: 0x10004,
  assistant: 0x10005,
  tool: 0x10006,
  other: 0x10007,
} as const;

export function boundaryFor(role: string): number {
  return (promptBoundary as Record<string, number>)[role] ?? promptBoundary.other;
}

/** Collects the prompt's pieces by reference while a request is parsed; hashing happens only if a cache asks. */
export class PromptParts {
  /** Strings are text; numbers are boundary codes. */
  private readonly pieces: (string | number)[] = [];
  characters = 0;

  text(value: string): void {
    if (value.length === 0) return;
    this.pieces.push(value);
    this.characters += value.length;
  }

  boundary(code: number): void {
    this.pieces.push(code);
  }

  /** ceil(characters / 4), the prompt's token count. */
  get tokens(): number {
    return Math.ceil(this.characters / 4);
  }

  /**
   * The hash of every full block of `blockTokens` tokens, each one folding in the hash of the block before it
   * (as vLLM's prefix cache does), so block i matches only when everything before it matched too.
   */
  blockHashes(blockTokens: number, maxBlocks = Infinity): number[] {
    const blockChars = blockTokens * 4;
    const hashes: number[] = [];
    // Two 32-bit multiply-xor lanes give a 53-bit hash: a collision among a cache's blocks is out of reach.
    let first = 0x2545f491;
    let second = 0x9e3779b9;
    let filled = 0;
    for (const piece of this.pieces) {
      if (typeof piece === 'number') {
        first = Math.imul(first ^ piece, 0x85ebca6b);
        second = Math.imul(second ^ piece, 0xc2b2ae35);
        continue;
      }
      for (let index = 0; index < piece.length; index++) {
        const code = piece.charCodeAt(index);
        first = Math.imul(first ^ code, 0x9e3779b1);
        second = Math.imul(second ^ code, 0x5f356495);
        if (++filled < blockChars) continue;
        first = Math.imul(first ^ (first >>> 16), 0x85ebca6b) ^ Math.imul(second ^ (second >>> 13), 0xc2b2ae35);
        second = Math.imul(second ^ (second >>> 16), 0x85ebca6b) ^ Math.imul(first ^ (first >>> 13), 0xc2b2ae35);
        hashes.push((second >>> 0) * 0x200000 + ((first >>> 0) & 0x1fffff));
        if (hashes.length >= maxBlocks) return hashes;
        filled = 0;
      }
    }
    return hashes;
  }
}
