/** Splits a document's text into overlapping chunks on word boundaries, so a passage cut at a chunk's end is whole in the next. */

export interface ChunkingOptions {
  /** The longest chunk in characters (a single longer word is kept whole). */
  maxChars: number;
  /** How many characters at the end of one chunk start the next. */
  overlapChars: number;
}

export const defaultChunking: ChunkingOptions = { maxChars: 800, overlapChars: 120 };

const WORD = /\S+/g;

export function chunkText(text: string, options: ChunkingOptions = defaultChunking): string[] {
  const { maxChars, overlapChars } = options;
  if (!Number.isInteger(maxChars) || maxChars < 1) throw new RangeError(`chunking.maxChars must be a positive integer, got ${maxChars}`);
  if (!Number.isInteger(overlapChars) || overlapChars < 0 || overlapChars >= maxChars) {
    throw new RangeError(`chunking.overlapChars must be an integer in [0, maxChars), got ${overlapChars}`);
  }
  const starts: number[] = [];
  const ends: number[] = [];
  for (const match of text.matchAll(WORD)) {
    starts.push(match.index);
    ends.push(match.index + match[0].length);
  }
  const chunks: string[] = [];
  let first = 0;
  while (first < starts.length) {
    let last = first;
    while (last + 1 < starts.length && ends[last + 1]! - starts[first]! <= maxChars) last++;
    chunks.push(text.slice(starts[first], ends[last]));
    if (last + 1 >= starts.length) break;
    // The next chunk starts at the first word within the overlap, always moves forward, and leaves room for a new word.
    let next = last + 1;
    while (next - 1 > first && ends[last]! - starts[next - 1]! <= overlapChars && ends[last + 1]! - starts[next - 1]! <= maxChars) next--;
    first = next;
  }
  return chunks;
}
