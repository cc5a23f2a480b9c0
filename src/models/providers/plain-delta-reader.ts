/**
 * The OpenAI stream's fast path: the text of a chunk that carries nothing but a content delta, read
 * without JSON.parse. Chunks of one stream differ only in their text, so the text around the content
 * (checked in full once) is remembered and later chunks are compared with it instead of searched.
 */

const contentMarker = '"delta":{"content":"';
const usageKey = '"usage"';

export class PlainDeltaReader {
  /** The last plain chunk's text up to its content string, and from the string's closing quote on. */
  #head = '';
  #tail = '';
  #escaped = false;

  /**
   * The text of a chunk with only a content delta (no finish reason, no usage beyond `"usage":null`,
   * no tool calls); undefined when the chunk needs a full parse.
   */
  read(data: string): string | undefined {
    const head = this.#head;
    // The same text around the content as a chunk that passed the checks below passes them too
    // (none of the searched keys can occur inside a JSON string, whose quotes are escaped).
    // Compared as slices: V8's startsWith walks the characters one by one, several times slower than string equality.
    if (head.length > 0 && data.slice(0, head.length) === head) {
      const end = this.#literalEnd(data, head.length);
      const tail = this.#tail;
      if (end !== -1 && data.length - end === tail.length && data.slice(end) === tail) return this.#literal(data, head.length, end);
    }
    return this.#readInFull(data);
  }

  #readInFull(data: string): string | undefined {
    const marker = data.indexOf(contentMarker);
    if (marker === -1 || data.indexOf('"finish_reason":null') === -1 || data.indexOf('"tool_calls"') !== -1) return undefined;
    // OpenAI (with include_usage) sends `"usage":null` on every chunk but the last; only a real usage object needs the parser.
    const usage = data.indexOf(usageKey);
    if (usage !== -1 && !data.startsWith(':null', usage + usageKey.length)) return undefined;
    const start = marker + contentMarker.length;
    const end = this.#literalEnd(data, start);
    // The delta must close right after the string: `"}` — anything else goes to the full parser.
    if (end === -1 || data.charCodeAt(end + 1) !== 125) return undefined;
    this.#head = data.slice(0, start);
    this.#tail = data.slice(end);
    return this.#literal(data, start, end);
  }

  /** The index of the closing quote of the JSON string starting at `start`, or -1; notes whether it has escapes. */
  #literalEnd(data: string, start: number): number {
    let escaped = false;
    let end = start;
    for (; end < data.length; end++) {
      const code = data.charCodeAt(end);
      if (code === 92) {
        escaped = true;
        end++;
      } else if (code === 34) {
        break;
      }
    }
    this.#escaped = escaped;
    return end < data.length ? end : -1;
  }

  #literal(data: string, start: number, end: number): string {
    const literal = data.slice(start, end);
    return this.#escaped ? (JSON.parse(`"${literal}"`) as string) : literal;
  }
}

/** The fast path's answer for one chunk on its own (no stream's remembered text). */
export function plainDeltaContent(data: string): string | undefined {
  return new PlainDeltaReader().read(data);
}
