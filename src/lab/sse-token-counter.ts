/** Incremental server-sent-events scanner that counts streamed tokens without parsing every chunk as JSON. */

/**
 * `chat`: OpenAI chat-completion chunks (`data: {...}` with `delta.content`, ending `data: [DONE]`).
 * `turn`: Switchboard's orchestrated turn (`event: delta` / `event: done` / `event: error`).
 */
export type SseDialect = 'chat' | 'turn';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const DATA_FIELD = encode('data:');
const EVENT_FIELD = encode('event:');
const DONE_SENTINEL = encode('[DONE]');
const ERROR_OBJECT = encode('{"error"');
const CONTENT_KEY = encode('"content":');
const TEXT_KEY = encode('"text":');
const COMPLETION_TOKENS_KEY = encode('"completion_tokens":');
const DELTA_NAME = encode('delta');
const DONE_NAME = encode('done');
const ERROR_NAME = encode('error');

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const COLON = 0x3a;
const QUOTE = 0x22;
const DIGIT_ZERO = 0x30;

// Event kinds as small integers so the per-line path compares numbers, not strings.
const KIND_MESSAGE = 0;
const KIND_DELTA = 1;
const KIND_DONE = 2;
const KIND_ERROR = 3;
const KIND_OTHER = 4;

/** Whether `needle` occurs at `position` and fits before `end`. */
function matchesAt(buffer: Uint8Array, position: number, end: number, needle: Uint8Array): boolean {
  if (end - position < needle.length) return false;
  for (let offset = 0; offset < needle.length; offset++) {
    if (buffer[position + offset] !== needle[offset]) return false;
  }
  return true;
}

/**
 * First index of `needle` within [from, to), or -1. A bounded scan: the native
 * `Buffer.indexOf` has no end and would run on into the following lines of a big chunk.
 */
function indexWithin(buffer: Uint8Array, needle: Uint8Array, from: number, to: number): number {
  const first = needle[0];
  const last = to - needle.length;
  for (let position = from; position <= last; position++) {
    if (buffer[position] === first && matchesAt(buffer, position, to, needle)) return position;
  }
  return -1;
}

function skipBlanks(buffer: Uint8Array, position: number, end: number): number {
  while (position < end && (buffer[position] === SPACE || buffer[position] === TAB)) position++;
  return position;
}

/** Whether a JSON key found at [from, to) is followed by a non-empty string value. */
function hasNonEmptyString(buffer: Uint8Array, key: Uint8Array, from: number, to: number): boolean {
  const found = indexWithin(buffer, key, from, to);
  if (found === -1) return false;
  const valueStart = skipBlanks(buffer, found + key.length, to);
  return valueStart + 1 < to && buffer[valueStart] === QUOTE && buffer[valueStart + 1] !== QUOTE;
}

/** The integer after a JSON key within [from, to), or -1. */
function integerAfter(buffer: Uint8Array, key: Uint8Array, from: number, to: number): number {
  const found = indexWithin(buffer, key, from, to);
  if (found === -1) return -1;
  let position = skipBlanks(buffer, found + key.length, to);
  let value = -1;
  while (position < to) {
    const digit = buffer[position]! - DIGIT_ZERO;
    if (digit < 0 || digit > 9) break;
    value = (value < 0 ? 0 : value * 10) + digit;
    position++;
  }
  return value;
}

/**
 * Feed it the raw body chunks in order with `push`, then call `finish` at the end of the
 * body. It keeps only a partial line between chunks and allocates nothing per event.
 */
export class SseTokenCounter {
  /** Content chunks (chat) or non-empty `delta` events (turn) seen so far. */
  tokens = 0;
  /** `usage.completion_tokens` when the stream reported it, else -1. */
  usageTokens = -1;
  /** The stream's normal end marker arrived (`data: [DONE]` or `event: done`). */
  done = false;
  /** The stream carried an error event or an error object. */
  errored = false;

  private pending: Buffer | null = null;
  private eventKind = KIND_MESSAGE;
  private eventHasText = false;

  constructor(private readonly dialect: SseDialect) {}

  /** Tokens for the reply: the server's own count when it gave one, else the chunks counted. */
  get tokenCount(): number {
    return this.usageTokens > 0 ? this.usageTokens : this.tokens;
  }

  push(chunk: Buffer): void {
    let buffer = chunk;
    if (this.pending) {
      // Only a line split across two network reads is copied.
      buffer = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    let position = 0;
    const length = buffer.length;
    while (position < length) {
      const newline = buffer.indexOf(NEWLINE, position);
      if (newline === -1) {
        this.pending = buffer.subarray(position);
        return;
      }
      let lineEnd = newline;
      if (lineEnd > position && buffer[lineEnd - 1] === CARRIAGE_RETURN) lineEnd--;
      this.line(buffer, position, lineEnd);
      position = newline + 1;
    }
  }

  /** The body ended: a last line or event without its terminating blank line still counts. */
  finish(): void {
    if (this.pending && this.pending.length > 0) {
      const rest = this.pending;
      this.pending = null;
      let end = rest.length;
      if (rest[end - 1] === CARRIAGE_RETURN) end--;
      this.line(rest, 0, end);
    }
    this.dispatch();
  }

  private line(buffer: Buffer, start: number, end: number): void {
    if (start === end) {
      this.dispatch();
      return;
    }
    if (buffer[start] === COLON) return; // a comment, e.g. a keep-alive
    if (matchesAt(buffer, start, end, DATA_FIELD)) {
      const valueStart = start + DATA_FIELD.length;
      this.data(buffer, buffer[valueStart] === SPACE ? valueStart + 1 : valueStart, end);
    } else if (matchesAt(buffer, start, end, EVENT_FIELD)) {
      let valueStart = start + EVENT_FIELD.length;
      if (buffer[valueStart] === SPACE) valueStart++;
      this.eventKind = this.classifyEvent(buffer, valueStart, end);
    }
  }

  private classifyEvent(buffer: Buffer, start: number, end: number): number {
    const length = end - start;
    if (length === DELTA_NAME.length && matchesAt(buffer, start, end, DELTA_NAME)) return KIND_DELTA;
    if (length === DONE_NAME.length && matchesAt(buffer, start, end, DONE_NAME)) return KIND_DONE;
    if (length === ERROR_NAME.length && matchesAt(buffer, start, end, ERROR_NAME)) return KIND_ERROR;
    return KIND_OTHER;
  }

  private data(buffer: Buffer, start: number, end: number): void {
    if (this.dialect === 'turn') {
      if (this.eventKind === KIND_DELTA) {
        if (!this.eventHasText && hasNonEmptyString(buffer, TEXT_KEY, start, end)) this.eventHasText = true;
      } else if (this.eventKind === KIND_DONE) {
        const usage = integerAfter(buffer, COMPLETION_TOKENS_KEY, start, end);
        if (usage >= 0) this.usageTokens = usage;
      }
      return;
    }
    if (matchesAt(buffer, start, end, DONE_SENTINEL)) {
      this.done = true;
    } else if (matchesAt(buffer, start, end, ERROR_OBJECT)) {
      this.errored = true;
    } else if (hasNonEmptyString(buffer, CONTENT_KEY, start, end)) {
      this.tokens++;
    } else {
      // Only chunks without content are searched for usage: the final usage chunk has none.
      const usage = integerAfter(buffer, COMPLETION_TOKENS_KEY, start, end);
      if (usage >= 0) this.usageTokens = usage;
    }
  }

  private dispatch(): void {
    switch (this.eventKind) {
      case KIND_DELTA:
        if (this.eventHasText) this.tokens++;
        break;
      case KIND_DONE:
        if (this.dialect === 'turn') this.done = true;
        break;
      case KIND_ERROR:
        this.errored = true;
        break;
    }
    this.eventKind = KIND_MESSAGE;
    this.eventHasText = false;
  }
}
