/**
 * The router's view of the bytes an engine prefills: tool definitions, then each message (role, name, text,
 * tool calls, tool result id), hashed in fixed-size blocks of characters as a chain (each block's hash folds
 * in the one before), so block i of two prompts matches only when everything up to it matched.
 *
 * Incremental and allocation-free: one pass over the request's strings with charCodeAt, tool schemas walked
 * in place (never stringified), hashes written into a buffer the hasher owns and reuses.
 */

import type { ChatCallRequest } from '../../chat/chat-types.js';

/** What the hasher reads of a call; the router hands it the request as the caller gave it. */
export type PromptSource = Pick<ChatCallRequest, 'messages' | 'tools'>;

/** Codes fed at structure boundaries; above 0xffff, so never equal to a character. */
const roleCodes: Record<string, number> = { system: 0x10001, user: 0x10002, assistant: 0x10003, tool: 0x10004 };
const otherRole = 0x10005;
const toolsStart = 0x10010;
const toolCallStart = 0x10011;
const objectStart = 0x10012;
const arrayStart = 0x10013;
const nullValue = 0x10014;
const trueValue = 0x10015;
const falseValue = 0x10016;
const numberValue = 0x10017;
/** Block hashes stay below 2^30: small integers, which V8 keeps unboxed as Map keys. */
const hashMask = 0x3fffffff;
/** Deeper tool schemas than this are cut: the hash stays an approximation, the walk stays bounded. */
const maxDepth = 32;

export class PromptPrefixHasher {
  readonly blockCharacters: number;
  readonly maxBlocks: number;
  /** The current prompt's block hashes, valid up to the count the last `hash` returned. */
  readonly blocks: Int32Array;
  #count = 0;
  #filled = 0;
  /** FNV-1a over the current block's units. */
  #content = 0;
  /** The chain: the hash of every block so far, in two lanes. */
  #chainA = 0;
  #chainB = 0;

  constructor(blockCharacters: number, maxBlocks: number) {
    if (!(Number.isInteger(blockCharacters) && blockCharacters >= 1)) throw new RangeError(`blockCharacters must be an integer >= 1, got ${blockCharacters}`);
    if (!(Number.isInteger(maxBlocks) && maxBlocks >= 1)) throw new RangeError(`maxBlocks must be an integer >= 1, got ${maxBlocks}`);
    this.blockCharacters = blockCharacters;
    this.maxBlocks = maxBlocks;
    this.blocks = new Int32Array(maxBlocks);
  }

  /** Hashes the prompt's full blocks (at most `maxBlocks`) into `blocks`; returns how many there are. */
  hash(prompt: PromptSource): number {
    this.#count = 0;
    this.#filled = 0;
    this.#content = 0x811c9dc5;
    this.#chainA = 0x2545f491;
    this.#chainB = 0x9e3779b9;
    const tools = prompt.tools;
    if (tools !== undefined && tools.length > 0) {
      this.#unit(toolsStart);
      for (const tool of tools) {
        if (this.#full) return this.#count;
        this.#text(tool.name);
        if (tool.description !== undefined) this.#text(tool.description);
        if (tool.parameters !== undefined) this.#value(tool.parameters, 0);
        if (tool.strict === true) this.#unit(trueValue);
      }
    }
    for (const message of prompt.messages) {
      if (this.#full) return this.#count;
      this.#unit(roleCodes[message.role] ?? otherRole);
      if (message.name !== undefined) this.#text(message.name);
      if (message.toolCallId !== undefined) this.#text(message.toolCallId);
      this.#text(message.content);
      if (message.toolCalls !== undefined) {
        for (const call of message.toolCalls) {
          this.#unit(toolCallStart);
          this.#text(call.id);
          this.#text(call.function.name);
          this.#text(call.function.arguments);
        }
      }
    }
    return this.#count;
  }

  get #full(): boolean {
    return this.#count >= this.maxBlocks;
  }

  /** Feeds a string in runs that end at block boundaries, so the inner loop has no branch. */
  #text(value: string): void {
    const length = value.length;
    let index = 0;
    while (index < length) {
      if (this.#full) return;
      const run = Math.min(length - index, this.blockCharacters - this.#filled);
      const end = index + run;
      let content = this.#content;
      for (; index < end; index++) content = Math.imul(content ^ value.charCodeAt(index), 0x01000193);
      this.#content = content;
      this.#filled += run;
      if (this.#filled === this.blockCharacters) this.#closeBlock();
    }
  }

  #unit(code: number): void {
    if (this.#full) return;
    this.#content = Math.imul(this.#content ^ code, 0x01000193);
    if (++this.#filled === this.blockCharacters) this.#closeBlock();
  }

  #closeBlock(): void {
    // murmur3-style mixing of the chain with the block's content, in two lanes.
    let a = Math.imul(this.#chainA ^ this.#content, 0xcc9e2d51);
    a = Math.imul((a << 15) | (a >>> 17), 0x1b873593);
    let b = Math.imul(this.#chainB + this.#content, 0x85ebca6b) ^ a;
    b ^= b >>> 13;
    b = Math.imul(b, 0xc2b2ae35);
    b ^= b >>> 16;
    this.#chainA = a;
    this.#chainB = b;
    this.blocks[this.#count++] = b & hashMask;
    this.#filled = 0;
    this.#content = 0x811c9dc5;
  }

  /** Walks a JSON value (a tool's schema) in key order, feeding keys and leaves. */
  #value(value: unknown, depth: number): void {
    if (depth > maxDepth || this.#full) return;
    if (typeof value === 'string') {
      this.#text(value);
    } else if (typeof value === 'number') {
      this.#unit(numberValue);
      this.#unit(value | 0);
      this.#unit(Math.round((value - Math.trunc(value)) * 1_000_000));
    } else if (typeof value === 'boolean') {
      this.#unit(value ? trueValue : falseValue);
    } else if (value === null || value === undefined) {
      this.#unit(nullValue);
    } else if (Array.isArray(value)) {
      this.#unit(arrayStart);
      for (const item of value) this.#value(item, depth + 1);
    } else if (typeof value === 'object') {
      this.#unit(objectStart);
      const record = value as Record<string, unknown>;
      for (const key in record) {
        if (!Object.hasOwn(record, key)) continue;
        this.#text(key);
        this.#value(record[key], depth + 1);
      }
    }
  }
}
