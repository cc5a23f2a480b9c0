/** The in-memory embedding cache: float32 copies in a Map per model, as the other backends keep them. */

import type { EmbeddingCache, EmbeddingEntry } from '../store-types.js';
import { checkEmbeddingEntries, checkEmbeddingKeys, checkEmbeddingModel } from '../embedding-input.js';

export class MemoryEmbeddingCache implements EmbeddingCache {
  readonly #vectors = new Map<string, Map<string, Float32Array>>();

  async get(model: string, keys: readonly string[]): Promise<(number[] | undefined)[]> {
    checkEmbeddingModel(model);
    checkEmbeddingKeys(keys);
    const stored = this.#vectors.get(model);
    return keys.map((key) => {
      const vector = stored?.get(key);
      return vector === undefined ? undefined : Array.from(vector);
    });
  }

  async put(model: string, entries: readonly EmbeddingEntry[]): Promise<void> {
    checkEmbeddingModel(model);
    checkEmbeddingEntries(entries);
    let stored = this.#vectors.get(model);
    if (!stored) this.#vectors.set(model, (stored = new Map()));
    for (const { key, vector } of entries) stored.set(key, Float32Array.from(vector));
  }
}
