/**
 * The features of a message for the trained tier: lower-cased word unigrams and bigrams plus character
 * 3- to 5-grams inside each padded word (scikit-learn's `char_wb`), each as a 32-bit hash so nothing is
 * sliced or allocated per n-gram. Hash collisions among a few thousand features are rare and harmless.
 */

const WORD = /[\p{L}\p{N}]+/gu;
const MIN_CHAR_GRAM = 3;
const MAX_CHAR_GRAM = 5;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
// Word features and character features of the same letters must not share a hash.
const WORD_SALT = 0x9e3779b9;
const BIGRAM_SALT = 0x85ebca6b;
const SPACE = 32;

function hashRange(text: string, start: number, end: number, salt: number): number {
  let hash = FNV_OFFSET ^ salt;
  for (let index = start; index < end; index++) hash = Math.imul(hash ^ text.charCodeAt(index), FNV_PRIME);
  return hash >>> 0;
}

/** Calls `add(featureHash)` once per occurrence of each feature of `text`. */
export function forEachFeature(text: string, add: (feature: number) => void): void {
  // One padded, lower-cased copy: " word1 word2 " so every word has a boundary on each side.
  const padded = ` ${(text.toLowerCase().match(WORD) ?? []).join(' ')} `;
  let previousWord = 0;
  let wordStart = -1;
  for (let index = 1; index < padded.length; index++) {
    if (padded.charCodeAt(index) !== SPACE) {
      if (wordStart < 0) wordStart = index;
      continue;
    }
    if (wordStart < 0) continue;
    const word = hashRange(padded, wordStart, index, WORD_SALT);
    add(word);
    if (previousWord !== 0) add((Math.imul(previousWord, 31) ^ word ^ BIGRAM_SALT) >>> 0);
    previousWord = word;
    // Character n-grams over " word " (both spaces included).
    const from = wordStart - 1;
    const to = index + 1;
    for (let size = MIN_CHAR_GRAM; size <= MAX_CHAR_GRAM; size++) {
      for (let start = from; start + size <= to; start++) add(hashRange(padded, start, start + size, size));
    }
    wordStart = -1;
  }
}
