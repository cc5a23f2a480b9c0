/**
 * Deterministic text embeddings for the simulator: hashed word and character-trigram features, each added with a
 * hashed sign to one of D buckets (feature hashing), then L2-normalised. Texts that share words or word stems
 * score a higher cosine than unrelated texts; the same text always gives the same vector, whatever the seed or
 * model name, so vectors stored by one simulator instance match queries answered by another.
 */

import { isStopword, wordKey } from './message-words.js';
import { mix32 } from '../stats/seeded-random.js';

export const DEFAULT_EMBEDDING_DIMENSIONS = 256;

const WORD = /[\p{L}\p{N}]+/gu;
const WORD_WEIGHT = 1;
// Stopwords still count a little: "the order" and "an order" should stay closest to each other.
const STOPWORD_WEIGHT = 0.25;
// Trigrams carry spelling similarity ("shipping"/"shipped") without outweighing whole words.
const TRIGRAM_WEIGHT = 0.3;

/** FNV-1a over a string, salted so word and trigram features of the same letters land apart. */
function featureHash(salt: number, text: string): number {
  let hash = 0x811c9dc5 ^ salt;
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  return hash >>> 0;
}

function addFeature(vector: Float64Array, hash: number, weight: number): void {
  const bucket = hash % vector.length;
  vector[bucket]! += (mix32(hash, 0x51) & 1) === 0 ? weight : -weight;
}

/** The unit vector of `text` in `dimensions` dimensions (float32, as OpenAI's are). */
export function simulatedEmbedding(text: string, dimensions = DEFAULT_EMBEDDING_DIMENSIONS): Float32Array {
  const vector = new Float64Array(dimensions);
  const words = text.toLowerCase().match(WORD) ?? [];
  for (const word of words) {
    addFeature(vector, featureHash(1, wordKey(word)), isStopword(word) ? STOPWORD_WEIGHT : WORD_WEIGHT);
    const padded = `^${word}$`;
    for (let index = 0; index + 3 <= padded.length; index++) addFeature(vector, featureHash(2, padded.slice(index, index + 3)), TRIGRAM_WEIGHT);
  }
  // Punctuation or symbols only: the characters themselves are the features, so no input maps to the zero vector.
  if (words.length === 0) for (const character of text) addFeature(vector, featureHash(3, character), WORD_WEIGHT);
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  const unit = new Float32Array(dimensions);
  if (norm === 0) {
    // Only possible when every feature cancelled out; any fixed unit vector will do.
    unit[0] = 1;
    return unit;
  }
  for (let index = 0; index < dimensions; index++) unit[index] = vector[index]! / norm;
  return unit;
}
